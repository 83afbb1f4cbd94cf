package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** TransactWriteItems and TransactGetItems. */
abstract class TransactionsContract extends EngineContract {

    TransactionsContract(Binding binding) {
        super(binding);
    }

    @BeforeEach
    void tables() {
        hashTable("tbl_ta", null);
        hashTable("tbl_tb", null);
    }

    static TransactWriteItem put(String table, String id) {
        return TransactWriteItem.builder().put(p -> p.tableName(table).item(item("id", id))).build();
    }

    static TransactWriteItem increment(String table, String id) {
        return TransactWriteItem.builder().update(u -> u.tableName(table).key(item("id", id))
                .updateExpression("ADD c :one").expressionAttributeValues(Map.of(":one", n("1")))).build();
    }

    long counter(String table, String id) {
        var item = ddb.getItem(r -> r.tableName(table).key(item("id", id))).item();
        return item.containsKey("c") ? Long.parseLong(item.get("c").n()) : 0;
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html: all four actions. */
    @Test
    void appliesEveryActionAcrossTables() {
        ddb.putItem(r -> r.tableName("tbl_tb").item(item("id", "del")));
        ddb.putItem(r -> r.tableName("tbl_tb").item(item("id", "check", "ok", "yes")));
        ddb.transactWriteItems(r -> r.transactItems(
                put("tbl_ta", "new"),
                increment("tbl_ta", "counter"),
                TransactWriteItem.builder().delete(d -> d.tableName("tbl_tb").key(item("id", "del"))).build(),
                TransactWriteItem.builder().conditionCheck(c -> c.tableName("tbl_tb").key(item("id", "check"))
                        .conditionExpression("ok = :y").expressionAttributeValues(Map.of(":y", s("yes")))).build()));
        assertThat(ddb.getItem(r -> r.tableName("tbl_ta").key(item("id", "new"))).hasItem()).isTrue();
        assertThat(counter("tbl_ta", "counter")).isEqualTo(1);
        assertThat(ddb.getItem(r -> r.tableName("tbl_tb").key(item("id", "del"))).hasItem()).isFalse();
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html (one
     * CancellationReason per action, in order; Item with ALL_OLD) and LocalStack's AWS-recorded
     * test_transaction_write_canceled (the message lists the codes). Nothing is applied.
     */
    @Test
    void aFailedConditionCancelsEverything() {
        ddb.putItem(r -> r.tableName("tbl_tb").item(item("id", "exists", "v", "1")));
        assertThatThrownBy(() -> ddb.transactWriteItems(r -> r.transactItems(
                        put("tbl_ta", "x"),
                        TransactWriteItem.builder().put(p -> p.tableName("tbl_tb").item(item("id", "exists"))
                                .conditionExpression("attribute_not_exists(id)")
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD))
                                .build(),
                        increment("tbl_ta", "counter"))))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e -> {
                    assertThat(e.getMessage()).startsWith("Transaction cancelled, please refer cancellation reasons "
                            + "for specific reasons [None, ConditionalCheckFailed, None]");
                    assertThat(e.cancellationReasons()).extracting(CancellationReason::code)
                            .containsExactly("None", "ConditionalCheckFailed", "None");
                    assertThat(e.cancellationReasons().get(1).item()).isEqualTo(item("id", "exists", "v", "1"));
                    assertThat(e.cancellationReasons().get(1).message()).isEqualTo("The conditional request failed");
                });
        assertThat(ddb.getItem(r -> r.tableName("tbl_ta").key(item("id", "x"))).hasItem()).isFalse();
        assertThat(counter("tbl_ta", "counter")).isZero();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html: one item once. */
    @Test
    void twoActionsOnOneItemAreRejected() {
        assertThatThrownBy(() -> ddb.transactWriteItems(r -> r.transactItems(put("tbl_ta", "a"), increment("tbl_ta", "a"))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Transaction request cannot include multiple operations on one item");
        assertThat(ddb.getItem(r -> r.tableName("tbl_ta").key(item("id", "a"))).hasItem()).isFalse();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html: at most 100. */
    @Test
    void atMostOneHundredActions() {
        List<TransactWriteItem> actions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            actions.add(put("tbl_ta", "k" + i));
        }
        ddb.transactWriteItems(r -> r.transactItems(actions));
        assertThat(ddb.scan(r -> r.tableName("tbl_ta")).count()).isEqualTo(100);
        actions.add(put("tbl_ta", "k100"));
        assertThatThrownBy(() -> ddb.transactWriteItems(r -> r.transactItems(actions)))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Member must have length less than or equal to 100");
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html (ClientRequestToken):
     * the same token and request within 10 minutes is applied once; another request with the token is an
     * IdempotentParameterMismatchException; after the window the token is new again.
     */
    @Test
    void clientRequestTokenMakesTheCallIdempotentForTenMinutes() {
        TransactWriteItemsRequest request = TransactWriteItemsRequest.builder()
                .clientRequestToken("token-1").transactItems(increment("tbl_ta", "c")).build();
        ddb.transactWriteItems(request);
        ddb.transactWriteItems(request);
        assertThat(counter("tbl_ta", "c")).isEqualTo(1);
        assertThatThrownBy(() -> ddb.transactWriteItems(request.toBuilder().transactItems(increment("tbl_tb", "c")).build()))
                .isInstanceOf(IdempotentParameterMismatchException.class);
        clock.advance(Duration.ofMinutes(9));
        ddb.transactWriteItems(request);
        assertThat(counter("tbl_ta", "c")).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        ddb.transactWriteItems(request);
        assertThat(counter("tbl_ta", "c")).isEqualTo(2);
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html: responses in order. */
    @Test
    void transactGetReadsInOrder() {
        ddb.putItem(r -> r.tableName("tbl_ta").item(item("id", "a", "v", "1")));
        ddb.putItem(r -> r.tableName("tbl_tb").item(item("id", "b", "v", "2")));
        var response = ddb.transactGetItems(r -> r.transactItems(
                TransactGetItem.builder().get(g -> g.tableName("tbl_tb").key(item("id", "b"))).build(),
                TransactGetItem.builder().get(g -> g.tableName("tbl_ta").key(item("id", "absent"))).build(),
                TransactGetItem.builder().get(g -> g.tableName("tbl_ta").key(item("id", "a")).projectionExpression("v"))
                        .build()));
        assertThat(response.responses()).hasSize(3);
        assertThat(response.responses().get(0).item()).isEqualTo(item("id", "b", "v", "2"));
        assertThat(response.responses().get(1).hasItem()).isFalse();
        assertThat(response.responses().get(2).item()).isEqualTo(item("v", "1"));
    }
}
