package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.item;
import static io.shardwise.testkit.dynamodb.expression.Av.l;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.ns;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static io.shardwise.testkit.dynamodb.expression.Av.ss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The validation errors of the expression language, with AWS's wording: from the Developer Guide where it states them
 * ("Reserved words in DynamoDB", "Comparison operator and function reference", "Update expressions") and otherwise
 * from responses recorded against AWS (moto's aws_verified tests).
 */
class ExpressionErrorsTest {

    private static void condition(String expression, Object... ctx) {
        Expressions.parseCondition(expression, ctx(ctx));
    }

    private static void update(String expression, Object... ctx) {
        Expressions.parseUpdate(expression, ctx(ctx));
    }

    // AWS-recorded: 'Syntax error; token: "<EOF>", near: ","' for a trailing comma.
    @Test
    void syntaxErrorAtTheEnd() {
        assertThatThrownBy(() -> update("SET #a = :v, #b = :w,", "#a", "a", "#b", "b", ":v", n("1"), ":w", n("2")))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"");
        assertThatThrownBy(() -> condition("a = ", ":v", n("1")))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    }

    // AWS-recorded: "near" runs from the token before the offending one to the token after it.
    @Test
    void syntaxErrorNearShowsTheNeighbouringTokens() {
        assertThatThrownBy(() -> update("SET MyStr = myNum + 1"))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"1\", near: \"+ 1\"");
        assertThatThrownBy(() -> update("SET MyStr = myNum Mystr2 myNum2"))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"Mystr2\", near: \"myNum Mystr2 myNum2\"");
        assertThatThrownBy(() -> update("SET MyStr = my Num"))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"Num\", near: \"my Num\"");
        assertThatThrownBy(() -> update("SET path = VALUE 1"))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"1\", near: \"VALUE 1\"");
    }

    @Test
    void syntaxErrorsInConditions() {
        assertThatThrownBy(() -> condition("a = :v :w", ":v", n("1"), ":w", n("1")))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \":w\", near: \":v :w\"");
        assertThatThrownBy(() -> condition("(a = :v", ":v", n("1")))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
        assertThatThrownBy(() -> condition("a == :v", ":v", n("1")))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\"");
        assertThatThrownBy(() -> condition("a BETWEEN :v", ":v", n("1")))
                .hasMessageStartingWith("Invalid ConditionExpression: Syntax error; token: \"<EOF>\"");
        assertThatThrownBy(() -> condition("attribute_exists(a) = :v", ":v", n("1")))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \"=\", near: \") = :v\"");
        assertThatThrownBy(() -> condition("a = @", ":v", n("1")))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \"@\", near: \"= @\"");
    }

    // Syntax is checked before names: a reserved word in a text that does not parse gives the syntax error.
    @Test
    void syntaxErrorsComeBeforeReservedWords() {
        assertThatThrownBy(() -> update("SET status = VALUE 1"))
                .hasMessageContaining("Syntax error; token: \"1\"");
    }

    // "The expression can not be empty;" (AWS-recorded for Update, Projection and Filter expressions).
    @Test
    void emptyExpressions() {
        assertThatThrownBy(() -> update("")).hasMessage("1 validation error detected: Invalid UpdateExpression: The expression can not be empty;");
        assertThatThrownBy(() -> Expressions.parseFilter(" ", ctx()))
                .hasMessage("Invalid FilterExpression: The expression can not be empty;");
        assertThatThrownBy(() -> condition(null)).hasMessage("Invalid ConditionExpression: The expression can not be empty;");
    }

    // Reserved words in DynamoDB: the whole list (573 words), not case-sensitive.
    @Test
    void reservedWordsAreTheDocumentedList() {
        assertThat(ReservedWords.count()).isEqualTo(573);
        for (String word : List.of("ABORT", "status", "Name", "data", "ttl", "zone", "COUNT", "size", "value", "timestamp")) {
            assertThat(ReservedWords.isReserved(word)).as(word).isTrue();
        }
        for (String word : List.of("pk", "sk", "expires", "attempts", "payload", "lease")) {
            assertThat(ReservedWords.isReserved(word)).as(word).isFalse();
        }
    }

    // "Attribute name is a reserved keyword; reserved keyword: status" — in every expression kind, at any depth; like
    // syntax errors and undefined aliases, AWS reports it without the write prefix (minidyn #61's UpdateItem capture).
    @Test
    void reservedWordsUsedBare() {
        assertThatThrownBy(() -> condition("status = :v", ":v", s("x")))
                .hasMessage("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
        assertThatThrownBy(() -> update("SET a.Comment = :v", ":v", s("x")))
                .hasMessage("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Comment");
        assertThatThrownBy(() -> Expressions.parseKeyCondition("#p = :v AND date > :v", ctx("#p", "pk", ":v", s("x"))))
                .hasMessage("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: date");
        assertThatCode(() -> condition("#s = :v", "#s", "status", ":v", s("x"))).doesNotThrowAnyException();
    }

    // Comparison operator reference: function names and operand counts.
    @Test
    void functionsAreCheckedByNameAndArity() {
        assertThatThrownBy(() -> condition("exists(a)"))
                .hasMessage("Invalid ConditionExpression: Invalid function name; function: exists");
        assertThatThrownBy(() -> condition("attribute_exists(a, b)")).hasMessage("Invalid ConditionExpression: Incorrect "
                + "number of operands for operator or function; operator or function: attribute_exists, number of operands: 2");
        assertThatThrownBy(() -> condition("begins_with(a)")).hasMessage("Invalid ConditionExpression: Incorrect number "
                + "of operands for operator or function; operator or function: begins_with, number of operands: 1");
        assertThatThrownBy(() -> condition("attribute_exists(:v)", ":v", s("x"))).hasMessage("Invalid "
                + "ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists");
    }

    // size is an operand, the others are conditions: each used the other way is refused.
    @Test
    void functionsUsedTheWrongWay() {
        assertThatThrownBy(() -> condition("size(a)")).hasMessageStartingWith("Invalid ConditionExpression: Syntax error;");
        assertThatThrownBy(() -> condition("attribute_exists(a) = :v", ":v", n("1")))
                .hasMessageStartingWith("Invalid ConditionExpression: Syntax error;");
        assertThatThrownBy(() -> condition("a = begins_with(b, :v)", ":v", s("x"))).hasMessage("Invalid "
                + "ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with");
    }

    // attribute_type: "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }".
    @Test
    void attributeTypeCodesAreValidated() {
        assertThatThrownBy(() -> condition("attribute_type(a, :t)", ":t", s("STRING"))).hasMessage("Invalid "
                + "ConditionExpression: Invalid attribute type name found; type: STRING, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
        assertThatThrownBy(() -> condition("attribute_type(a, :t)", ":t", n("1"))).hasMessage("Invalid "
                + "ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N");
    }

    @Test
    void beginsWithTakesStringsOrBinaries() {
        assertThatThrownBy(() -> condition("begins_with(a, :v)", ":v", n("1"))).hasMessage("Invalid "
                + "ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
    }

    // BETWEEN: the lower bound must not be above the upper one.
    @Test
    void betweenBoundsInTheWrongOrder() {
        assertThatThrownBy(() -> condition("a BETWEEN :hi AND :lo", ":hi", n("5"), ":lo", n("1"))).hasMessage("Invalid "
                + "ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                + "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}");
    }

    // IN takes at most 100 operands.
    @Test
    void inWithTooManyOperands() {
        List<Object> ctx = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            ctx.add(":v" + i);
            ctx.add(n(Integer.toString(i)));
            names.add(":v" + i);
        }
        assertThatThrownBy(() -> condition("a IN (" + String.join(", ", names) + ")", ctx.toArray()))
                .hasMessage("Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101");
        assertThatCode(() -> condition("a IN (" + String.join(", ", names.subList(0, 100)) + ")", ctx.subList(0, 200).toArray()))
                .doesNotThrowAnyException();
    }

    // AWS-recorded: "((((a < b))))" has redundant parentheses; needed or single ones are fine.
    @Test
    void redundantParentheses() {
        assertThatThrownBy(() -> condition("((((a < b))))"))
                .hasMessage("Invalid ConditionExpression: The expression has redundant parentheses;");
        assertThatCode(() -> condition("((#a = :b) OR (#c = :d) AND (#e = :f))", "#a", "pk", "#c", "pk", "#e", "pk",
                ":b", s("pk"), ":d", s("pk"), ":f", s("pk"))).doesNotThrowAnyException();
        assertThatCode(() -> condition("(attribute_exists (#0)) AND (((#1 <> :0) AND (#1 <> :1)) AND (#2 = :3))",
                "#0", "pk", "#1", "pk", "#2", "pk", ":0", s("nope"), ":1", s("nope"), ":3", s("pk")))
                .doesNotThrowAnyException();
    }

    // AWS-recorded: each section at most once, with the write prefix.
    @Test
    void sectionRepeated() {
        assertThatThrownBy(() -> update("ADD x :one SET a = :a ADD y :one", ":one", n("1"), ":a", s("l")))
                .hasMessage("1 validation error detected: Invalid UpdateExpression: The \"ADD\" section can only be used "
                        + "once in an update expression;");
        assertThatThrownBy(() -> update("REMOVE #u[0] SET c = :c REMOVE p", "#u", "user_list", ":c", s("J")))
                .hasMessage("1 validation error detected: Invalid UpdateExpression: The \"REMOVE\" section can only be used "
                        + "once in an update expression;");
        assertThatThrownBy(() -> update("set a = :c remove p Set b = :c", ":c", s("J")))
                .hasMessage("1 validation error detected: Invalid UpdateExpression: The \"SET\" section can only be used "
                        + "once in an update expression;");
    }

    // AWS-recorded: two actions on overlapping paths, names resolved first; a dotted alias is one attribute.
    @Test
    void overlappingPaths() {
        String overlap = "1 validation error detected: Invalid UpdateExpression: Two document paths overlap with each other; "
                + "must remove or rewrite one of these paths; ";
        assertThatThrownBy(() -> update("SET #s = :h, #s = :h", "#s", "string_set", ":h", s("H")))
                .hasMessage(overlap + "path one: [string_set], path two: [string_set]");
        assertThatThrownBy(() -> update("SET string_set.nested = :h, string_set.nested = :h", ":h", s("H")))
                .hasMessage(overlap + "path one: [string_set, nested], path two: [string_set, nested]");
        assertThatThrownBy(() -> update("REMOVE string_set SET string_set.nested = :h", ":h", s("H")))
                .hasMessage(overlap + "path one: [string_set], path two: [string_set, nested]");
        assertThatThrownBy(() -> update("ADD #s :a DELETE #s :d", "#s", "string_set", ":a", ss("c"), ":d", ss("a")))
                .hasMessageStartingWith(overlap);
        assertThatThrownBy(() -> update("SET l[0] = :h REMOVE l[0]", ":h", s("H")))
                .hasMessage(overlap + "path one: [l, [0]], path two: [l, [0]]");
        assertThatCode(() -> update("SET string_set = :h, #n = :h", "#n", "string_set.nested", ":h", s("H")))
                .doesNotThrowAnyException();
        assertThatCode(() -> update("SET #r.#a = :x, #r.#b = :y", "#r", "nested", "#a", "key1", "#b", "key2",
                ":x", s("1"), ":y", s("2"))).doesNotThrowAnyException();
    }

    // ADD takes a number or a set, DELETE a set ("Update expressions"): the typeSet message.
    @Test
    void addAndDeleteOperandTypes() {
        assertThatThrownBy(() -> update("ADD a :v", ":v", s("x"))).hasMessage("1 validation error detected: Invalid UpdateExpression: Incorrect "
                + "operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
        assertThatThrownBy(() -> update("ADD a :v", ":v", l(n("1")))).hasMessage("1 validation error detected: Invalid UpdateExpression: Incorrect "
                + "operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND");
        assertThatThrownBy(() -> update("DELETE a :v", ":v", n("1"))).hasMessage("1 validation error detected: Invalid UpdateExpression: Incorrect "
                + "operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND");
        assertThatThrownBy(() -> update("ADD a b")).hasMessage("Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\"");
    }

    // list_append takes lists, + and - take numbers: a value of another type is refused before the item is read.
    @Test
    void functionAndOperatorOperandTypes() {
        assertThatThrownBy(() -> update("SET a = list_append(a, :v)", ":v", s("x"))).hasMessage("1 validation error detected: Invalid "
                + "UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S");
        assertThatThrownBy(() -> update("SET a = a + :v", ":v", s("x"))).hasMessage("1 validation error detected: Invalid UpdateExpression: "
                + "Incorrect operand type for operator or function; operator or function: +, operand type: S");
        assertThatThrownBy(() -> update("SET a = :v - a", ":v", ss("x"))).hasMessage("1 validation error detected: Invalid UpdateExpression: "
                + "Incorrect operand type for operator or function; operator or function: -, operand type: SS");
        assertThatThrownBy(() -> update("SET a = size(b)")).hasMessageStartingWith("1 validation error detected: Invalid UpdateExpression: ");
    }

    // AWS-recorded: an empty set value is refused ("An number set  may not be empty", two spaces, write prefix).
    @Test
    void emptySetValues() {
        assertThatThrownBy(() -> update("SET x = :one", ":one", ns())).hasMessage(
                "1 validation error detected: One or more parameter values were invalid: An number set  may not be empty");
        assertThatThrownBy(() -> update("ADD x :s", ":s", ss())).hasMessage(
                "1 validation error detected: One or more parameter values were invalid: An string set  may not be empty");
        assertThatThrownBy(() -> condition("contains(x, :s)", ":s", ss()))
                .hasMessage("One or more parameter values were invalid: An string set  may not be empty");
    }

    // Numbers in values obey the rules of stored numbers; AWS names the parameter and the key (ExtendDB #201, captured).
    @Test
    void invalidNumberValues() {
        assertThatThrownBy(() -> update("SET x = :n", ":n", n("1E+200"))).hasMessage("1 validation error detected: "
                + "ExpressionAttributeValues contains "
                + "invalid value: Number overflow. Attempting to store a number with magnitude larger than supported range "
                + "for key :n");
        assertThatThrownBy(() -> condition("x = :n", ":n", n("abc"))).hasMessage(
                "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: abc for key :n");
        assertThatThrownBy(() -> condition("contains(x, :n)", ":n", ns("1", "1x"))).hasMessage(
                "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: 1x for key :n");
    }

    // Write operations prefix request-validation errors of every expression (AWS, captured by ExtendDB #64 and #65:
    // PutItem's "1 validation error detected: Invalid ConditionExpression: The expression has redundant parentheses;",
    // UpdateItem's begins_with operand type); not syntax errors, reserved words or undefined aliases.
    @Test
    void writeContextsPrefixValidationErrors() {
        ExpressionContext write = new ExpressionContext(java.util.Map.of("#a", "a"), java.util.Map.of(":v", s("x")), true);
        assertThatThrownBy(() -> Expressions.parseCondition("((#a = :v))", write)).hasMessage(
                "1 validation error detected: Invalid ConditionExpression: The expression has redundant parentheses;");
        ExpressionContext write2 = new ExpressionContext(null, java.util.Map.of(":p", n("1")), true);
        assertThatThrownBy(() -> Expressions.parseCondition("begins_with(s, :p)", write2)).hasMessage(
                "1 validation error detected: Invalid ConditionExpression: Incorrect operand type for operator or function; "
                        + "operator or function: begins_with, operand type: N");
        ExpressionContext write5 = new ExpressionContext(null, null, true);
        assertThatThrownBy(() -> Expressions.parseCondition("status = :v", write5)).hasMessage(
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
        ExpressionContext write3 = new ExpressionContext(null, java.util.Map.of(":v", s("x")), true);
        Expressions.parseCondition("attribute_exists(a)", write3);
        assertThatThrownBy(write3::verifyAllUsed).hasMessage("1 validation error detected: Value provided in "
                + "ExpressionAttributeValues unused in expressions: keys: {:v}");
        // Syntax errors are AWS-recorded without the prefix.
        ExpressionContext write4 = new ExpressionContext(null, null, true);
        assertThatThrownBy(() -> Expressions.parseUpdate("SET a = b,", write4))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"");
        // A read context gives the unprefixed form.
        assertThatThrownBy(() -> condition("((a = :v))", ":v", s("x")))
                .hasMessage("Invalid ConditionExpression: The expression has redundant parentheses;");
    }

    // Redundant parentheses are refused in key conditions and filters too, named by their parameter (ExtendDB #130).
    @Test
    void redundantParenthesesInEveryConditionKind() {
        assertThatThrownBy(() -> Expressions.parseKeyCondition("((pk = :v))", ctx(":v", s("x"))))
                .hasMessage("Invalid KeyConditionExpression: The expression has redundant parentheses;");
        assertThatThrownBy(() -> Expressions.parseFilter("((a = :v))", ctx(":v", s("x"))))
                .hasMessage("Invalid FilterExpression: The expression has redundant parentheses;");
    }

    // Developer Guide "Quotas": an expression string is at most 4 KB, counted on the raw text (paritysuite capture:
    // 4096 bytes accepted, 4097 refused). Wording as AWS returned it: with the size for a filter (pynamodb #979),
    // without for an update and without the write prefix (aws-sdk-java-v2 #4597).
    @Test
    void expressionsAreAtMostFourKilobytes() {
        String longName = "a".repeat(4096 - "attribute_exists()".length());
        assertThatCode(() -> condition("attribute_exists(" + longName + ")")).doesNotThrowAnyException();
        String tooLong = "attribute_exists(" + longName + "b)";
        assertThatThrownBy(() -> Expressions.parseFilter(tooLong, ctx())).hasMessage(
                "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
        assertThatThrownBy(() -> update("REMOVE " + "b".repeat(4100))).hasMessage(
                "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;");
        // Bytes, not characters: 2049 two-byte characters are 4098 bytes.
        assertThatThrownBy(() -> Expressions.parseProjection("\u00e9".repeat(2049), ctx())).hasMessage(
                "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4098");
    }

    // AWS-recorded (minidyn #21): a bare attribute is not a condition.
    @Test
    void aBareAttributeIsNotACondition() {
        assertThatThrownBy(() -> condition("attribute_exists(car_id) AND NOT #h", "#h", "has_air_conditioner"))
                .hasMessage("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"#h\"");
    }

    // Runtime errors keep the item unchanged: apply works on a copy.
    @Test
    void aFailedUpdateLeavesTheItemAlone() {
        var before = item("a", n("1"), "label", s("x"));
        UpdateExpression u = Expressions.parseUpdate("SET a = :v, b = label + :v", ctx(":v", n("1")));
        assertThatThrownBy(() -> u.apply(before)).hasMessage("An operand in the update expression has an incorrect data type");
        assertThat(before).isEqualTo(item("a", n("1"), "label", s("x")));
    }

}
