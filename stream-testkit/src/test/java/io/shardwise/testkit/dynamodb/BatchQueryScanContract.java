package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** BatchGetItem, BatchWriteItem, Query and Scan. */
abstract class BatchQueryScanContract extends EngineContract {

    BatchQueryScanContract(Binding binding) {
        super(binding);
    }

    static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(p -> p.item(item)).build();
    }

    static WriteRequest delete(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(d -> d.key(key)).build();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html: puts and deletes. */
    @Test
    void batchWritePutsAndDeletes() {
        hashTable("tbl_bw", null);
        ddb.putItem(r -> r.tableName("tbl_bw").item(item("id", "old")));
        var response = ddb.batchWriteItem(r -> r.requestItems(Map.of("tbl_bw",
                List.of(put(item("id", "a")), put(item("id", "b")), delete(item("id", "old"))))));
        assertThat(response.unprocessedItems()).isEmpty();
        assertThat(ddb.scan(r -> r.tableName("tbl_bw")).items())
                .extracting(i -> i.get("id").s()).containsExactlyInAnyOrder("a", "b");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html: ≤ 25, no key twice. */
    @Test
    void batchWriteLimitsAreChecked() {
        hashTable("tbl_bw", null);
        List<WriteRequest> many = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            many.add(put(item("id", "k" + i)));
        }
        assertThatThrownBy(() -> ddb.batchWriteItem(r -> r.requestItems(Map.of("tbl_bw", many))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Too many items requested for the BatchWriteItem call");
        assertThatThrownBy(() -> ddb.batchWriteItem(r -> r.requestItems(Map.of("tbl_bw",
                        List.of(put(item("id", "a")), delete(item("id", "a")))))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Provided list of item keys contains duplicates");
        assertThatThrownBy(() -> ddb.batchWriteItem(r -> r.requestItems(Map.of("tbl_bw",
                        List.of(put(item("id", "a")), put(item("nokey", "b")))))))
                .isInstanceOf(DynamoDbException.class);
        assertThat(ddb.scan(r -> r.tableName("tbl_bw")).count()).as("a rejected batch writes nothing").isZero();
        // LocalStack's AWS-recorded test_batch_write_not_existing_table.
        assertThatThrownBy(() -> ddb.batchWriteItem(r -> r.requestItems(Map.of("missing", List.of(put(item("id", "a")))))))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageStartingWith("Requested resource not found");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html: found items, ≤ 100 keys. */
    @Test
    void batchGetReadsWhatExists() {
        hashTable("tbl_bg", null);
        ddb.putItem(r -> r.tableName("tbl_bg").item(item("id", "a", "v", "1")));
        ddb.putItem(r -> r.tableName("tbl_bg").item(item("id", "b", "v", "2")));
        BatchGetItemResponse response = ddb.batchGetItem(r -> r.requestItems(Map.of("tbl_bg", KeysAndAttributes.builder()
                .keys(item("id", "a"), item("id", "b"), item("id", "absent")).build())));
        assertThat(response.responses().get("tbl_bg")).extracting(i -> i.get("v").s()).containsExactlyInAnyOrder("1", "2");
        assertThat(response.unprocessedKeys()).isEmpty();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            keys.add(item("id", "k" + i));
        }
        assertThatThrownBy(() -> ddb.batchGetItem(
                        r -> r.requestItems(Map.of("tbl_bg", KeysAndAttributes.builder().keys(keys).build()))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Too many items requested for the BatchGetItem call");
        assertThatThrownBy(() -> ddb.batchGetItem(r -> r.requestItems(Map.of("tbl_bg", KeysAndAttributes.builder()
                        .keys(item("id", "a"), item("id", "a")).build()))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Provided list of item keys contains duplicates");
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html: sort key order, ScanIndexForward,
     * key conditions on the sort key.
     */
    @Test
    void queryReadsOnePartitionInSortKeyOrder() {
        rangeTable("tbl_q");
        for (String sk : List.of("10", "2", "33", "-1")) {
            ddb.putItem(r -> r.tableName("tbl_q").item(item("pk", "p", "sk", n(sk))));
        }
        ddb.putItem(r -> r.tableName("tbl_q").item(item("pk", "other", "sk", n("5"))));
        QueryResponse all = ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", s("p"))));
        assertThat(all.items()).extracting(i -> i.get("sk").n()).containsExactly("-1", "2", "10", "33");
        QueryResponse backwards = ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", s("p"))).scanIndexForward(false));
        assertThat(backwards.items()).extracting(i -> i.get("sk").n()).containsExactly("33", "10", "2", "-1");
        QueryResponse range = ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("pk = :p AND sk BETWEEN :a AND :b")
                .expressionAttributeValues(Map.of(":p", s("p"), ":a", n("0"), ":b", n("10"))));
        assertThat(range.items()).extracting(i -> i.get("sk").n()).containsExactly("2", "10");
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html: Limit counts evaluated items,
     * LastEvaluatedKey/ExclusiveStartKey page through, the filter applies after the limit (Count vs ScannedCount).
     */
    @Test
    void queryPaginatesAndFiltersAfterTheLimit() {
        rangeTable("tbl_q");
        for (int i = 1; i <= 5; i++) {
            int v = i;
            ddb.putItem(r -> r.tableName("tbl_q").item(item("pk", "p", "sk", n(Integer.toString(v)),
                    "odd", AttributeValue.fromBool(v % 2 == 1))));
        }
        QueryResponse first = ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("pk = :p")
                .filterExpression("odd = :t").limit(2)
                .expressionAttributeValues(Map.of(":p", s("p"), ":t", AttributeValue.fromBool(true))));
        assertThat(first.scannedCount()).isEqualTo(2);
        assertThat(first.count()).isEqualTo(1);
        assertThat(first.lastEvaluatedKey()).isEqualTo(item("pk", "p", "sk", n("2")));
        List<String> seen = new ArrayList<>();
        ddb.queryPaginator(r -> r.tableName("tbl_q").keyConditionExpression("pk = :p").limit(2)
                        .expressionAttributeValues(Map.of(":p", s("p"))))
                .items().forEach(i -> seen.add(i.get("sk").n()));
        assertThat(seen).containsExactly("1", "2", "3", "4", "5");
        QueryResponse count = ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("pk = :p").select(Select.COUNT)
                .expressionAttributeValues(Map.of(":p", s("p"))));
        assertThat(count.count()).isEqualTo(5);
        assertThat(count.hasItems()).isFalse();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html: the key condition names the key. */
    @Test
    void queryNeedsAKeyConditionOnThePartitionKey() {
        rangeTable("tbl_q");
        assertThatThrownBy(() -> ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("sk = :v")
                        .expressionAttributeValues(Map.of(":v", n("1")))))
                .isInstanceOf(DynamoDbException.class);
        assertThatThrownBy(() -> ddb.query(r -> r.tableName("tbl_q").keyConditionExpression("pk = :v")
                        .expressionAttributeValues(Map.of(":v", n("1")))))
                .isInstanceOf(DynamoDbException.class);
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html: pages cover every item once. */
    @Test
    void scanPaginatesOverEveryItemOnce() {
        hashTable("tbl_sc", null);
        for (int i = 0; i < 23; i++) {
            int v = i;
            ddb.putItem(r -> r.tableName("tbl_sc").item(item("id", "k" + v, "n", n(Integer.toString(v)))));
        }
        List<String> ids = new ArrayList<>();
        ddb.scanPaginator(r -> r.tableName("tbl_sc").limit(5)).items().forEach(i -> ids.add(i.get("id").s()));
        assertThat(ids).hasSize(23).doesNotHaveDuplicates();
        ScanResponse filtered = ddb.scan(r -> r.tableName("tbl_sc").filterExpression("n >= :min")
                .expressionAttributeValues(Map.of(":min", n("20"))));
        assertThat(filtered.count()).isEqualTo(3);
        assertThat(filtered.scannedCount()).isEqualTo(23);
        List<String> segmented = new ArrayList<>();
        for (int seg = 0; seg < 3; seg++) {
            int segment = seg;
            ddb.scanPaginator(r -> r.tableName("tbl_sc").segment(segment).totalSegments(3)).items()
                    .forEach(i -> segmented.add(i.get("id").s()));
        }
        assertThat(segmented).containsExactlyInAnyOrderElementsOf(ids);
    }
}
