package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * ConsumedCapacity by AWS's rules:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html (1 WCU per started
 * KB; 1 RCU per started 4 KB strongly consistent, half that eventually consistent; Query sums before rounding;
 * BatchGetItem rounds each item) and
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html (transactions: two units).
 */
abstract class CapacityContract extends EngineContract {

    private static final ReturnConsumedCapacity TOTAL = ReturnConsumedCapacity.TOTAL;

    CapacityContract(Binding binding) {
        super(binding);
    }

    @BeforeEach
    void table() {
        hashTable("cap", null);
    }

    /** An item of exactly {@code bytes} bytes: "id" + id (2 + 1) + "p" + padding. */
    static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> sized(String id, int bytes) {
        return item("id", id, "p", "x".repeat(bytes - 4));
    }

    @Test
    void writesCountOneUnitPerStartedKilobyte() {
        assertThat(ddb.putItem(r -> r.tableName("cap").item(sized("a", 1024)).returnConsumedCapacity(TOTAL))
                        .consumedCapacity().capacityUnits()).isEqualTo(1.0);
        ConsumedCapacity c = ddb.putItem(r -> r.tableName("cap").item(sized("b", 1025)).returnConsumedCapacity(TOTAL))
                .consumedCapacity();
        assertThat(c.capacityUnits()).isEqualTo(2.0);
        assertThat(c.writeCapacityUnits()).isEqualTo(2.0);
        assertThat(c.tableName()).isEqualTo("cap");
        // An update is charged for the larger of the item before and after.
        assertThat(ddb.updateItem(r -> r.tableName("cap").key(item("id", "b")).updateExpression("REMOVE p")
                        .returnConsumedCapacity(TOTAL)).consumedCapacity().capacityUnits()).isEqualTo(2.0);
        assertThat(ddb.putItem(r -> r.tableName("cap").item(sized("c", 10)))
                        .consumedCapacity()).as("not asked, not returned").isNull();
    }

    @Test
    void readsCountPerStartedFourKilobytesHalvedWhenEventuallyConsistent() {
        ddb.putItem(r -> r.tableName("cap").item(sized("a", 4097)));
        assertThat(ddb.getItem(r -> r.tableName("cap").key(item("id", "a")).returnConsumedCapacity(TOTAL))
                        .consumedCapacity().capacityUnits()).isEqualTo(1.0);
        assertThat(ddb.getItem(r -> r.tableName("cap").key(item("id", "a")).consistentRead(true)
                        .returnConsumedCapacity(TOTAL)).consumedCapacity().capacityUnits()).isEqualTo(2.0);
        assertThat(ddb.getItem(r -> r.tableName("cap").key(item("id", "absent")).returnConsumedCapacity(TOTAL))
                        .consumedCapacity().capacityUnits()).isEqualTo(0.5);
    }

    @Test
    void indexesAddsTheTableBreakdown() {
        ConsumedCapacity c = ddb.putItem(r -> r.tableName("cap").item(sized("a", 100))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES)).consumedCapacity();
        assertThat(c.table().capacityUnits()).isEqualTo(1.0);
    }

    @Test
    void transactionsCountTwice() {
        ConsumedCapacity w = ddb.transactWriteItems(r -> r.returnConsumedCapacity(TOTAL).transactItems(
                TransactWriteItem.builder().put(p -> p.tableName("cap").item(sized("a", 1500))).build(),
                TransactWriteItem.builder().put(p -> p.tableName("cap").item(sized("b", 100))).build()))
                .consumedCapacity().get(0);
        assertThat(w.capacityUnits()).isEqualTo(2 * 2 + 2 * 1.0);
        ConsumedCapacity read = ddb.transactGetItems(r -> r.returnConsumedCapacity(TOTAL).transactItems(
                TransactGetItem.builder().get(g -> g.tableName("cap").key(item("id", "a"))).build()))
                .consumedCapacity().get(0);
        assertThat(read.capacityUnits()).isEqualTo(2.0);
    }

    @Test
    void queryRoundsTheTotalBatchGetRoundsEachItem() {
        for (String id : List.of("a", "b", "c")) {
            ddb.putItem(r -> r.tableName("cap").item(sized(id, 1000)));
        }
        // Scan reads 3000 bytes: one 4 KB unit, halved.
        assertThat(ddb.scan(r -> r.tableName("cap").returnConsumedCapacity(TOTAL)).consumedCapacity().capacityUnits())
                .isEqualTo(0.5);
        // BatchGetItem: each item is its own unit (3 × 0.5).
        assertThat(ddb.batchGetItem(r -> r.returnConsumedCapacity(TOTAL).requestItems(Map.of("cap",
                        KeysAndAttributes.builder().keys(item("id", "a"), item("id", "b"), item("id", "c")).build())))
                .consumedCapacity().get(0).capacityUnits()).isEqualTo(1.5);
        assertThat(ddb.batchWriteItem(r -> r.returnConsumedCapacity(TOTAL).requestItems(Map.of("cap", List.of(
                        WriteRequest.builder().putRequest(p -> p.item(sized("d", 2048))).build(),
                        WriteRequest.builder().deleteRequest(d -> d.key(item("id", "a"))).build()))))
                .consumedCapacity().get(0).capacityUnits()).isEqualTo(3.0);
    }
}
