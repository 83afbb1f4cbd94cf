package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Developer Guide, "Expression attribute names (aliases) in DynamoDB" and "Using expression attribute values in
 * DynamoDB"; the unused-key messages are AWS-recorded (moto's aws_verified tests of UpdateItem, PutItem, GetItem).
 */
class ExpressionContextTest {

    // Every name and value supplied must be used by one of the request's expressions.
    @Test
    void unusedNameIsReportedWithAwsMessage() {
        ExpressionContext ctx = ctx("#count", "count", "#limit", "limit", ":v", s("x"));
        Expressions.parseProjection("#limit", ctx);
        Expressions.parseCondition("a = :v", ctx);
        assertThatThrownBy(ctx::verifyAllUsed)
                .isInstanceOf(DynamoDbValidationException.class)
                .hasMessage("Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}");
    }

    @Test
    void unusedValuesAreListedAfterNamesAreFine() {
        ExpressionContext ctx = ctx("#a", "a", ":v", n("1"), ":w", n("2"), ":countChange", n("3"));
        Expressions.parseCondition("#a = :v", ctx);
        assertThatThrownBy(ctx::verifyAllUsed)
                .hasMessage("Value provided in ExpressionAttributeValues unused in expressions: keys: {:countChange, :w}");
    }

    // AWS-recorded: PutItem / UpdateItem put "1 validation error detected: " in front of the same message.
    @Test
    void writeOperationsPrefixTheMessage() {
        ExpressionContext ctx = ctx("#count", "count");
        Expressions.parseCondition("attribute_not_exists(body)", ctx);
        assertThatThrownBy(ctx::verifyAllUsedInWrite).hasMessage(
                "1 validation error detected: Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}");
    }

    // One context serves all expressions of a request: a value used by the condition counts for the update too.
    @Test
    void usesAcrossExpressionsOfOneRequestAccumulate() {
        ExpressionContext ctx = ctx("#l", "limit", ":t", s("t"), ":limit", s("limit"));
        Expressions.parseUpdate("SET spec.#l = :limit", ctx);
        Expressions.parseCondition("begins_with(test, :t)", ctx);
        assertThatCode(ctx::verifyAllUsed).doesNotThrowAnyException();
    }

    @Test
    void nullMapsMeanNoAliases() {
        ExpressionContext ctx = new ExpressionContext(null, null);
        assertThat(Expressions.parseCondition("attribute_exists(a)", ctx).evaluate(Map.of("a", s("x")))).isTrue();
        assertThatCode(ctx::verifyAllUsed).doesNotThrowAnyException();
    }

    // AWS-recorded: a key without its '#' or ':' is refused before any expression is read.
    @Test
    void keysMustCarryTheirMarker() {
        assertThatThrownBy(() -> new ExpressionContext(Map.of("count", "count"), null))
                .hasMessage("ExpressionAttributeNames contains invalid key: Syntax error; key: \"count\"");
        assertThatThrownBy(() -> new ExpressionContext(null, Map.of("v", n("1"))))
                .hasMessage("ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"");
    }

    // AWS-recorded (moto aws_verified, UpdateItem): a map sent empty is refused; an absent one (null, or the SDK's
    // "not set" auto-construct map) is not.
    @Test
    void mapsSentEmptyAreRefused() {
        assertThatThrownBy(() -> ExpressionContext.checkNotSentEmpty(new java.util.HashMap<>(), null, false))
                .hasMessage("ExpressionAttributeNames must not be empty");
        assertThatThrownBy(() -> ExpressionContext.checkNotSentEmpty(Map.of("#d", "d"), new java.util.HashMap<>(), true))
                .hasMessage("1 validation error detected: ExpressionAttributeValues must not be empty");
        assertThatCode(() -> ExpressionContext.checkNotSentEmpty(
                software.amazon.awssdk.core.util.DefaultSdkAutoConstructMap.getInstance(),
                software.amazon.awssdk.core.util.DefaultSdkAutoConstructMap.getInstance(), true)).doesNotThrowAnyException();
        assertThatCode(() -> ExpressionContext.checkNotSentEmpty(null, null, false)).doesNotThrowAnyException();
        // The constructor accepts an empty copy: the engine copies the SDK's "not set" map before building a context.
        assertThatCode(() -> new ExpressionContext(new java.util.HashMap<>(), new java.util.HashMap<>()))
                .doesNotThrowAnyException();
    }

    // Undefined aliases: "An expression attribute name used in the document path is not defined". Captured from AWS
    // without the write prefix, also in UpdateItem (dynoxide #13's conformance capture, modyne #3).
    @Test
    void undefinedAliasesAreReportedWithTheExpressionKind() {
        assertThatThrownBy(() -> Expressions.parseCondition("#a = :v", ctx(":v", n("1"))))
                .hasMessage("Invalid ConditionExpression: An expression attribute name used in the document path is not "
                        + "defined; attribute name: #a");
        assertThatThrownBy(() -> Expressions.parseUpdate("SET a = :v", ctx()))
                .hasMessage("Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
                        + "attribute value: :v");
        assertThatThrownBy(() -> Expressions.parseFilter("a = :v", ctx()))
                .hasMessage("Invalid FilterExpression: An expression attribute value used in expression is not defined; "
                        + "attribute value: :v");
    }
}
