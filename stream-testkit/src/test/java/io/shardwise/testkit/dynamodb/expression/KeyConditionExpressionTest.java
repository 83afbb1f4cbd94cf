package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.b;
import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.item;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Developer Guide, "Querying tables in DynamoDB" / "Key condition expressions for Query"; messages for schema mismatches
 * as AWS records them (moto's aws_verified Query tests).
 */
class KeyConditionExpressionTest {

    private static KeyConditionExpression parse(String expression, Object... ctx) {
        return Expressions.parseKeyCondition(expression, ctx(ctx));
    }

    private static KeyConditionExpression valid(String expression, Object... ctx) {
        KeyConditionExpression k = parse(expression, ctx);
        k.validate("pk", "sk");
        return k;
    }

    // "You must specify the partition key name and value as an equality condition."
    @Test
    void hashEqualityAlone() {
        KeyConditionExpression k = valid("pk = :p", ":p", s("a"));
        assertThat(k.hashAttribute()).isEqualTo("pk");
        assertThat(k.hashValue()).isEqualTo(s("a"));
        assertThat(k.matchesRange(item("pk", s("a"), "sk", n("1")))).isTrue();
    }

    // Sort key conditions: = < <= > >= BETWEEN begins_with.
    @Test
    void everyRangeOperator() {
        Object[] v = {":p", s("a"), ":x", n("5"), ":y", n("7")};
        assertThat(valid("pk = :p AND sk = :x", v).matchesRange(item("sk", n("5")))).isTrue();
        assertThat(valid("pk = :p AND sk < :x", v).matchesRange(item("sk", n("5")))).isFalse();
        assertThat(valid("pk = :p AND sk <= :x", v).matchesRange(item("sk", n("5")))).isTrue();
        assertThat(valid("pk = :p AND sk > :x", v).matchesRange(item("sk", n("6")))).isTrue();
        assertThat(valid("pk = :p AND sk >= :x", v).matchesRange(item("sk", n("4")))).isFalse();
        assertThat(valid("pk = :p AND sk BETWEEN :x AND :y", v).matchesRange(item("sk", n("7")))).isTrue();
        assertThat(valid("pk = :p AND sk BETWEEN :x AND :y", v).matchesRange(item("sk", n("8")))).isFalse();
        assertThat(valid("pk = :p AND begins_with(sk, :s)", ":p", s("a"), ":s", s("2024-"))
                .matchesRange(item("sk", s("2024-05")))).isTrue();
        assertThat(valid("pk = :p AND begins_with(sk, :s)", ":p", s("a"), ":s", b("ab"))
                .matchesRange(item("sk", b("abc")))).isTrue();
    }

    // Conditions may come in either order, parenthesised, with aliases, the value on the left.
    @Test
    void orderParenthesesAndAliases() {
        KeyConditionExpression k = valid("(#s > :x) and (#p = :p)", "#s", "sk", "#p", "pk", ":x", n("1"), ":p", s("a"));
        assertThat(k.hashValue()).isEqualTo(s("a"));
        assertThat(k.matchesRange(item("sk", n("2")))).isTrue();
        assertThat(valid(":p = pk", ":p", s("a")).hashValue()).isEqualTo(s("a"));
    }

    // AWS-recorded: "Query condition missed key schema element: pk".
    @Test
    void hashKeyMustBeNamed() {
        KeyConditionExpression k = parse("sk = :x", ":x", n("1"));
        assertThatThrownBy(() -> k.validate("pk", "sk")).hasMessage("Query condition missed key schema element: pk");
        KeyConditionExpression wrong = parse("attr = :x", ":x", n("1"));
        assertThatThrownBy(() -> wrong.validate("pk", null)).hasMessage("Query condition missed key schema element: pk");
    }

    // AWS-recorded: "Query key condition not supported" for a hash condition attr than equality.
    @Test
    void hashConditionMustBeEquality() {
        KeyConditionExpression k = parse("pk > :x", ":x", n("1"));
        assertThatThrownBy(() -> k.validate("pk", "sk")).hasMessage("Query key condition not supported");
        KeyConditionExpression bw = parse("begins_with(pk, :x)", ":x", s("1"));
        assertThatThrownBy(() -> bw.validate("pk", "sk")).hasMessage("Query key condition not supported");
    }

    // AWS-recorded: the second condition must name the sort key.
    @Test
    void secondConditionMustNameTheSortKey() {
        KeyConditionExpression k = parse("pk = :p AND attr = :x", ":p", s("a"), ":x", n("1"));
        assertThatThrownBy(() -> k.validate("pk", "sk")).hasMessage("Query condition missed key schema element: sk");
        KeyConditionExpression noRange = parse("pk = :p AND sk = :x", ":p", s("a"), ":x", n("1"));
        // AWS-recorded (moto notes AWS's wording for a two-condition query on a hash-only index).
        assertThatThrownBy(() -> noRange.validate("pk", null)).hasMessage(
                "The number of query conditions (2) exceeds the number of key attributes defined in the schema (1)");
    }

    // Key conditions allow only AND between the two keys, and none of OR, NOT, IN, <>, the attr functions.
    @Test
    void operatorsKeyConditionsDoNotAllow() {
        Object[] v = {":p", s("a"), ":x", n("1")};
        String prefix = "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: ";
        assertThatThrownBy(() -> parse("pk = :p OR sk = :x", v)).hasMessage(prefix + "OR");
        assertThatThrownBy(() -> parse("pk = :p AND NOT sk = :x", v)).hasMessage(prefix + "NOT");
        assertThatThrownBy(() -> parse("pk IN (:p)", v)).hasMessage(prefix + "IN");
        assertThatThrownBy(() -> parse("pk <> :p", v)).hasMessage(prefix + "<>");
        assertThatThrownBy(() -> parse("pk = :p AND attribute_exists(sk)", v)).hasMessage(prefix + "attribute_exists");
        assertThatThrownBy(() -> parse("pk = :p AND contains(sk, :x)", v)).hasMessage(prefix + "contains");
    }

    // AWS-recorded: "Multiple attribute names used in one condition"; one condition per key; at most two.
    @Test
    void shapeOfEachCondition() {
        assertThatThrownBy(() -> parse("(#0 = x)", "#0", "pk")).hasMessage("Invalid KeyConditionExpression: Invalid "
                + "condition in KeyConditionExpression: Multiple attribute names used in one condition");
        assertThatThrownBy(() -> parse("pk = :p AND pk = :p", ":p", s("a")))
                .hasMessage("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key");
        assertThatThrownBy(() -> parse("pk = :p AND sk = :x AND attr = :x", ":p", s("a"), ":x", n("1")))
                .hasMessage("Conditions can be of length 1 or 2 only");
    }

    // begins_with on a sort key takes a string or binary prefix.
    @Test
    void beginsWithNeedsAStringOrBinaryPrefix() {
        assertThatThrownBy(() -> parse("pk = :p AND begins_with(sk, :x)", ":p", s("a"), ":x", n("1"))).hasMessage(
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
                        + "begins_with, operand type: N");
    }

    // matchesRange before validate is a programming error of the caller.
    @Test
    void validateComesFirst() {
        KeyConditionExpression k = parse("pk = :p", ":p", s("a"));
        assertThatThrownBy(k::hashValue).isInstanceOf(IllegalStateException.class);
    }
}
