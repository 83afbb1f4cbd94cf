package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem, their ReturnValues and item/key rules. */
abstract class ItemsContract extends EngineContract {

    ItemsContract(Binding binding) {
        super(binding);
    }

    @BeforeEach
    void table() {
        hashTable("items", null);
    }

    Map<String, AttributeValue> get(String id) {
        return ddb.getItem(r -> r.tableName("items").key(item("id", id)).consistentRead(true)).item();
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html: every
     * data type round-trips; numbers come back in canonical form (leading and trailing zeroes trimmed).
     */
    @Test
    void everyTypeRoundTrips() {
        Map<String, AttributeValue> item = item(
                "id", "a",
                "s", s("text ü"),
                "n", n("0012.500"),
                "b", AttributeValue.fromB(SdkBytes.fromUtf8String("bytes")),
                "ss", AttributeValue.fromSs(List.of("x", "y")),
                "ns", AttributeValue.fromNs(List.of("1", "2.50")),
                "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("p"))),
                "m", AttributeValue.fromM(Map.of("inner", n("1"))),
                "l", AttributeValue.fromL(List.of(s("e"), AttributeValue.fromNul(true))),
                "bool", AttributeValue.fromBool(false),
                "nul", AttributeValue.fromNul(true));
        ddb.putItem(r -> r.tableName("items").item(item));
        Map<String, AttributeValue> read = get("a");
        assertThat(read.get("n").n()).isEqualTo("12.5");
        assertThat(read.get("ns").ns()).containsExactly("1", "2.5");
        assertThat(read.get("s")).isEqualTo(item.get("s"));
        assertThat(read.get("b").b().asUtf8String()).isEqualTo("bytes");
        assertThat(read.get("ss").ss()).containsExactly("x", "y");
        assertThat(read.get("bs")).isEqualTo(item.get("bs"));
        assertThat(read.get("m")).isEqualTo(item.get("m"));
        assertThat(read.get("l")).isEqualTo(item.get("l"));
        assertThat(read.get("bool").bool()).isFalse();
        assertThat(read.get("nul").nul()).isTrue();
        assertThat(read).hasSize(item.size());
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html: no Item when absent. */
    @Test
    void absentItemHasNoItem() {
        assertThat(ddb.getItem(r -> r.tableName("items").key(item("id", "none"))).hasItem()).isFalse();
    }

    /** LocalStack's AWS-recorded test_batch_write_not_matching_schema; API_GetItem.html (Key: all key attributes). */
    @Test
    void keyNotMatchingTheSchemaIsRejected() {
        String message = "The provided key element does not match the schema";
        assertThatThrownBy(() -> ddb.getItem(r -> r.tableName("items").key(item("id", n("1")))))
                .isInstanceOf(DynamoDbException.class).hasMessageStartingWith(message);
        assertThatThrownBy(() -> ddb.getItem(r -> r.tableName("items").key(item("id", "a", "x", "b"))))
                .isInstanceOf(DynamoDbException.class).hasMessageStartingWith(message);
        assertThatThrownBy(() -> ddb.deleteItem(r -> r.tableName("items").key(item("other", "a"))))
                .isInstanceOf(DynamoDbException.class).hasMessageStartingWith(message);
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html: the item holds the key. */
    @Test
    void putItemNeedsTheKeyOfTheRightType() {
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("x", "a"))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("One or more parameter values were invalid: Missing the key id in the item");
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", n("1")))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith(
                        "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N");
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html: a key
     * attribute's string cannot be empty; a non-key one can.
     */
    @Test
    void emptyStringKeyIsRejectedButEmptyStringAttributeIsKept() {
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", ""))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("One or more parameter values are not valid. The AttributeValue for a key "
                        + "attribute cannot contain an empty string value. Key: id");
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "empty", "")));
        assertThat(get("a").get("empty").s()).isEmpty();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html: no empty set. */
    @Test
    void emptySetsAreRejected() {
        assertThatThrownBy(() -> ddb.putItem(
                        r -> r.tableName("items").item(item("id", "a", "ss", AttributeValue.fromSs(List.of())))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("One or more parameter values were invalid: An string set  may not be empty");
        assertThatThrownBy(() -> ddb.putItem(
                        r -> r.tableName("items").item(item("id", "a", "ns", AttributeValue.fromNs(List.of())))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("One or more parameter values were invalid: An number set  may not be empty");
        assertThat(ddb.getItem(r -> r.tableName("items").key(item("id", "a"))).hasItem()).isFalse();
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html (item size 400 KB) and
     * CapacityUnitCalculations.html (name bytes + value bytes).
     */
    @Test
    void itemsAbove400KbAreRejected() {
        int limit = 400 * 1024;
        // "id" + "a" = 3 bytes, "big" = 3 bytes: the value may have limit - 6 bytes.
        String fits = "x".repeat(limit - 6);
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "big", fits)));
        assertThat(get("a").get("big").s()).hasSize(limit - 6);
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", "b", "big", fits + "x"))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Item size has exceeded the maximum allowed size");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html: partition key ≤ 2048 bytes. */
    @Test
    void partitionKeyAbove2048BytesIsRejected() {
        ddb.putItem(r -> r.tableName("items").item(item("id", "k".repeat(2048))));
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", "k".repeat(2049)))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Size of hashkey has exceeded the maximum size limit of 2048 bytes");
    }

    /** LocalStack's AWS-recorded test_return_values_in_put_item; API_PutItem.html (NONE or ALL_OLD only). */
    @Test
    void putItemReturnsTheOldItemWhenAsked() {
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "v", "1")));
        assertThat(ddb.putItem(r -> r.tableName("items").item(item("id", "a", "v", "2"))).hasAttributes()).isFalse();
        assertThat(ddb.putItem(r -> r.tableName("items").item(item("id", "a", "v", "3"))
                        .returnValues(ReturnValue.ALL_OLD)).attributes())
                .isEqualTo(item("id", "a", "v", "2"));
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", "a"))
                        .returnValues(ReturnValue.ALL_NEW)))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("Return values set to invalid value");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html: all five ReturnValues. */
    @Test
    void updateItemReturnValues() {
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "x", n("1"), "y", "keep")));
        UpdateItemResponse none = update("a", "SET x = :v", "2", ReturnValue.NONE);
        assertThat(none.hasAttributes()).isFalse();
        assertThat(update("a", "SET x = :v", "3", ReturnValue.ALL_OLD).attributes())
                .isEqualTo(item("id", "a", "x", n("2"), "y", "keep"));
        assertThat(update("a", "SET x = :v", "4", ReturnValue.UPDATED_OLD).attributes())
                .isEqualTo(item("x", n("3")));
        assertThat(update("a", "SET x = :v", "5", ReturnValue.UPDATED_NEW).attributes())
                .isEqualTo(item("x", n("5")));
        assertThat(update("a", "SET x = :v", "6", ReturnValue.ALL_NEW).attributes())
                .containsEntry("x", n("6")).containsEntry("y", s("keep")).containsEntry("id", s("a"));
    }

    private UpdateItemResponse update(String id, String expression, String value, ReturnValue rv) {
        return ddb.updateItem(r -> r.tableName("items").key(item("id", id)).updateExpression(expression)
                .expressionAttributeValues(Map.of(":v", n(value))).returnValues(rv));
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html: creates the item if absent. */
    @Test
    void updateItemCreatesAnAbsentItem() {
        ddb.updateItem(r -> r.tableName("items").key(item("id", "new")).updateExpression("ADD c :one")
                .expressionAttributeValues(Map.of(":one", n("1"))));
        ddb.updateItem(r -> r.tableName("items").key(item("id", "new")).updateExpression("ADD c :one")
                .expressionAttributeValues(Map.of(":one", n("1"))));
        assertThat(get("new")).isEqualTo(item("id", "new", "c", n("2")));
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html: key attributes cannot be updated. */
    @Test
    void updateItemCannotChangeTheKey() {
        assertThatThrownBy(() -> ddb.updateItem(r -> r.tableName("items").key(item("id", "a"))
                        .updateExpression("SET id = :v").expressionAttributeValues(Map.of(":v", s("b")))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Cannot update attribute id. This attribute is part of the key");
    }

    /**
     * LocalStack's AWS-recorded test_return_values_on_conditions_check_failure: the error is "The conditional
     * request failed" and carries the item with ReturnValuesOnConditionCheckFailure=ALL_OLD; nothing is written.
     */
    @Test
    void conditionalCheckFailureCarriesTheItemWhenAsked() {
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "price", n("650"))));
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", "a", "price", n("1")))
                        .conditionExpression("attribute_not_exists(id)")))
                .isInstanceOfSatisfying(ConditionalCheckFailedException.class, e -> {
                    assertThat(e.getMessage()).startsWith("The conditional request failed");
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.hasItem()).isFalse();
                });
        assertThatThrownBy(() -> ddb.updateItem(r -> r.tableName("items").key(item("id", "a"))
                        .updateExpression("SET price = :p").conditionExpression("price < :p")
                        .expressionAttributeValues(Map.of(":p", n("100")))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)))
                .isInstanceOfSatisfying(ConditionalCheckFailedException.class,
                        e -> assertThat(e.item()).isEqualTo(item("id", "a", "price", n("650"))));
        assertThatThrownBy(() -> ddb.deleteItem(r -> r.tableName("items").key(item("id", "a"))
                        .conditionExpression("attribute_not_exists(id)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)))
                .isInstanceOfSatisfying(ConditionalCheckFailedException.class,
                        e -> assertThat(e.item()).containsEntry("price", n("650")));
        assertThat(get("a")).isEqualTo(item("id", "a", "price", n("650")));
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html: ALL_OLD; absent is fine. */
    @Test
    void deleteItemReturnsTheOldItem() {
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "v", "1")));
        assertThat(ddb.deleteItem(r -> r.tableName("items").key(item("id", "a")).returnValues(ReturnValue.ALL_OLD))
                        .attributes())
                .isEqualTo(item("id", "a", "v", "1"));
        assertThat(ddb.deleteItem(r -> r.tableName("items").key(item("id", "a")).returnValues(ReturnValue.ALL_OLD))
                        .hasAttributes())
                .isFalse();
        assertThat(ddb.getItem(r -> r.tableName("items").key(item("id", "a"))).hasItem()).isFalse();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html: ProjectionExpression. */
    @Test
    void getItemProjects() {
        ddb.putItem(r -> r.tableName("items").item(item("id", "a", "x", "1", "y", "2")));
        assertThat(ddb.getItem(r -> r.tableName("items").key(item("id", "a")).projectionExpression("#x")
                        .expressionAttributeNames(Map.of("#x", "x"))).item())
                .isEqualTo(item("x", "1"));
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html: a
     * value no expression uses is rejected, and nothing is written.
     */
    @Test
    void unusedExpressionValueIsRejected() {
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", "a"))
                        .conditionExpression("attribute_not_exists(id)")
                        .expressionAttributeValues(Map.of(":unused", s("x")))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
        assertThat(ddb.getItem(r -> r.tableName("items").key(item("id", "a"))).hasItem()).isFalse();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html: Expected is legacy. */
    @Test
    void legacyParametersAreRefusedWithTheExpressionToUse() {
        assertThatThrownBy(() -> ddb.putItem(r -> r.tableName("items").item(item("id", "a"))
                        .expected(Map.of("id", software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue
                                .builder().exists(false).build()))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("use ConditionExpression instead");
    }
}
