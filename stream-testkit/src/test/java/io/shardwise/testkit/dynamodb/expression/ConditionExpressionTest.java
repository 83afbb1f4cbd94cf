package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.b;
import static io.shardwise.testkit.dynamodb.expression.Av.bool;
import static io.shardwise.testkit.dynamodb.expression.Av.bs;
import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.item;
import static io.shardwise.testkit.dynamodb.expression.Av.l;
import static io.shardwise.testkit.dynamodb.expression.Av.m;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.ns;
import static io.shardwise.testkit.dynamodb.expression.Av.nul;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static io.shardwise.testkit.dynamodb.expression.Av.ss;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Developer Guide, "Condition and filter expressions, operators, and functions" (the comparison operator and function
 * reference). Each test names the section it checks.
 */
class ConditionExpressionTest {
    private static final Map<String, AttributeValue> ITEM = item(
            "id", s("order-1"),
            "qty", n("10"),
            "price", n("2.50"),
            "label", s("Widget"),
            "payload", b("abcdef"),
            "tags", ss("red", "blue"),
            "sizes", ns("1", "2.0"),
            "blobs", bs("x", "y"),
            "parts", l(s("bolt"), n("3"), m("k", s("v"))),
            "info", m("color", s("green"), "dims", l(n("1"), n("2"))),
            "active", bool(true),
            "nothing", nul());

    private static boolean eval(String expression, Object... ctx) {
        return Expressions.parseCondition(expression, ctx(ctx)).evaluate(ITEM);
    }

    // Syntax for condition expressions: comparator "a = b" — numbers compare by value.
    @Test
    void equalityComparesNumbersByValueAndStringsExactly() {
        assertThat(eval("qty = :v", ":v", n("10.0"))).isTrue();
        assertThat(eval("price = :v", ":v", n("2.5"))).isTrue();
        assertThat(eval("label = :v", ":v", s("Widget"))).isTrue();
        assertThat(eval("label = :v", ":v", s("widget"))).isFalse();
    }

    // Comparators: "a <> b — true if a is not equal to b".
    @Test
    void notEqualIsTrueForOtherValuesOtherTypesAndMissingAttributes() {
        assertThat(eval("qty <> :v", ":v", n("11"))).isTrue();
        assertThat(eval("qty <> :v", ":v", n("10"))).isFalse();
        assertThat(eval("qty <> :v", ":v", s("10"))).isTrue();
        assertThat(eval("absent <> :v", ":v", s("x"))).isTrue();
    }

    // Comparators < <= > >= on numbers, strings (UTF-8 byte order) and binaries.
    @Test
    void orderingComparatorsOnNumbersStringsAndBinaries() {
        assertThat(eval("qty > :v", ":v", n("9"))).isTrue();
        assertThat(eval("qty >= :v", ":v", n("10"))).isTrue();
        assertThat(eval("qty < :v", ":v", n("10"))).isFalse();
        assertThat(eval("qty <= :v", ":v", n("10"))).isTrue();
        assertThat(eval("label < :v", ":v", s("Wz"))).isTrue();
        assertThat(eval("label > :v", ":v", s("W"))).isTrue();
        // 'a' (0x61) sorts after 'W' (0x57): byte order, not case-insensitive order.
        assertThat(eval("label < :v", ":v", s("a"))).isTrue();
        assertThat(eval("payload < :v", ":v", b("abd"))).isTrue();
    }

    // Comparing values of different types is false, never an error.
    @Test
    void differentTypesCompareFalse() {
        assertThat(eval("qty = :v", ":v", s("10"))).isFalse();
        assertThat(eval("qty < :v", ":v", s("99"))).isFalse();
        assertThat(eval("qty > :v", ":v", s("1"))).isFalse();
        assertThat(eval("tags < :v", ":v", ss("z"))).isFalse();
        assertThat(eval("absent < :v", ":v", n("1"))).isFalse();
        assertThat(eval("absent = :v", ":v", n("1"))).isFalse();
    }

    // Equality of sets ignores order; lists and maps compare element by element.
    @Test
    void equalityOfDocumentAndSetTypes() {
        assertThat(eval("tags = :v", ":v", ss("blue", "red"))).isTrue();
        assertThat(eval("sizes = :v", ":v", ns("2", "1"))).isTrue();
        assertThat(eval("info = :v", ":v", m("dims", l(n("1"), n("2")), "color", s("green")))).isTrue();
        assertThat(eval("info.dims = :v", ":v", l(n("2"), n("1")))).isFalse();
        assertThat(eval("active = :v", ":v", bool(true))).isTrue();
        assertThat(eval("nothing = :v", ":v", nul())).isTrue();
    }

    // "a BETWEEN b AND c — true if a is greater than or equal to b, and less than or equal to c."
    @Test
    void betweenIsInclusiveAndTypeStrict() {
        assertThat(eval("qty BETWEEN :lo AND :hi", ":lo", n("10"), ":hi", n("20"))).isTrue();
        assertThat(eval("qty between :lo and :hi", ":lo", n("1"), ":hi", n("10"))).isTrue();
        assertThat(eval("qty BETWEEN :lo AND :hi", ":lo", n("11"), ":hi", n("20"))).isFalse();
        assertThat(eval("label BETWEEN :lo AND :hi", ":lo", s("A"), ":hi", s("Z"))).isTrue();
        assertThat(eval("qty BETWEEN :lo AND :hi", ":lo", s("1"), ":hi", s("9"))).isFalse();
    }

    // "a IN (b, c, d) — true if a is equal to any value in the list."
    @Test
    void inMatchesAnyCandidate() {
        assertThat(eval("qty IN (:a, :b)", ":a", n("1"), ":b", n("10"))).isTrue();
        assertThat(eval("label IN (:a)", ":a", s("Gadget"))).isFalse();
        assertThat(eval("qty IN (:a, price)", ":a", n("1"))).isFalse();
    }

    // Logical evaluations: NOT binds tighter than AND, AND tighter than OR; parentheses override.
    @Test
    void precedenceNotAndOr() {
        Object[] v = {":t", bool(true), ":f", bool(false)};
        // OR(a, AND(b, c)): true OR (false AND false) = true
        assertThat(eval("active = :t OR active = :f AND active = :f", v)).isTrue();
        // (true OR false) AND false = false
        assertThat(eval("(active = :t OR active = :f) AND active = :f", v)).isFalse();
        // NOT true AND false = (NOT true) AND false = false; NOT (true AND false) = true
        assertThat(eval("NOT active = :t AND active = :f", v)).isFalse();
        assertThat(eval("NOT (active = :t AND active = :f)", v)).isTrue();
        assertThat(eval("not not active = :t", v)).isTrue();
    }

    // The library's own lease condition: attribute_not_exists(id) OR #status = :x AND #exp < :now.
    @Test
    void theLibrarysLeaseCondition() {
        String expression = "attribute_not_exists(id) OR #status = :x AND #exp < :now";
        Map<String, AttributeValue> expired = item("id", s("k"), "status", s("IN_PROGRESS"), "exp", n("100"));
        Map<String, AttributeValue> live = item("id", s("k"), "status", s("IN_PROGRESS"), "exp", n("300"));
        Map<String, AttributeValue> done = item("id", s("k"), "status", s("COMPLETED"), "exp", n("100"));
        ConditionExpression c = Expressions.parseCondition(expression,
                ctx("#status", "status", "#exp", "exp", ":x", s("IN_PROGRESS"), ":now", n("200")));
        assertThat(c.evaluate(Map.of())).isTrue();
        assertThat(c.evaluate(expired)).isTrue();
        assertThat(c.evaluate(live)).isFalse();
        assertThat(c.evaluate(done)).isFalse();
    }

    // Functions: attribute_exists (path), attribute_not_exists (path), with nested paths and list indexes.
    @Test
    void attributeExistsAndNotExistsOnNestedPaths() {
        assertThat(eval("attribute_exists(qty)")).isTrue();
        assertThat(eval("attribute_exists(info.color)")).isTrue();
        assertThat(eval("attribute_exists(info.dims[1])")).isTrue();
        assertThat(eval("attribute_exists(info.dims[2])")).isFalse();
        assertThat(eval("attribute_exists(parts[2].k)")).isTrue();
        assertThat(eval("attribute_not_exists(info.weight)")).isTrue();
        assertThat(eval("attribute_not_exists(qty.x)")).isTrue();
        assertThat(eval("attribute_exists(nothing)")).isTrue();
    }

    // Functions: attribute_type (path, type) with every type code.
    @Test
    void attributeTypeKnowsEveryTypeCode() {
        String[][] cases = {{"id", "S"}, {"qty", "N"}, {"payload", "B"}, {"tags", "SS"}, {"sizes", "NS"}, {"blobs", "BS"},
            {"info", "M"}, {"parts", "L"}, {"active", "BOOL"}, {"nothing", "NULL"}};
        for (String[] c : cases) {
            assertThat(eval("attribute_type(" + c[0] + ", :t)", ":t", s(c[1]))).as(c[0]).isTrue();
            assertThat(eval("attribute_type(" + c[0] + ", :t)", ":t", s(c[1].equals("S") ? "N" : "S"))).as(c[0]).isFalse();
        }
        assertThat(eval("attribute_type(absent, :t)", ":t", s("S"))).isFalse();
    }

    // Functions: begins_with (path, substr) for strings and binaries.
    @Test
    void beginsWithOnStringsAndBinaries() {
        assertThat(eval("begins_with(label, :p)", ":p", s("Wid"))).isTrue();
        assertThat(eval("begins_with(label, :p)", ":p", s("wid"))).isFalse();
        assertThat(eval("begins_with(payload, :p)", ":p", b("abc"))).isTrue();
        assertThat(eval("begins_with(payload, :p)", ":p", b("b"))).isFalse();
        assertThat(eval("begins_with(qty, :p)", ":p", s("1"))).isFalse();
        assertThat(eval("begins_with(absent, :p)", ":p", s("1"))).isFalse();
    }

    // Functions: contains (path, operand) — substring of a string, member of a set, element of a list.
    @Test
    void containsOnStringsSetsAndLists() {
        assertThat(eval("contains(label, :p)", ":p", s("dge"))).isTrue();
        assertThat(eval("contains(label, :p)", ":p", s("x"))).isFalse();
        assertThat(eval("contains(tags, :p)", ":p", s("red"))).isTrue();
        assertThat(eval("contains(tags, :p)", ":p", s("re"))).isFalse();
        assertThat(eval("contains(sizes, :p)", ":p", n("2"))).isTrue();
        assertThat(eval("contains(blobs, :p)", ":p", b("y"))).isTrue();
        assertThat(eval("contains(parts, :p)", ":p", s("bolt"))).isTrue();
        assertThat(eval("contains(parts, :p)", ":p", n("3.0"))).isTrue();
        assertThat(eval("contains(parts, :p)", ":p", m("k", s("v")))).isTrue();
        assertThat(eval("contains(tags, :p)", ":p", n("1"))).isFalse();
        assertThat(eval("contains(payload, :p)", ":p", b("cde"))).isTrue();
    }

    // Functions: size (path) — string length, binary bytes, set/list/map element counts.
    @Test
    void sizeOfEveryType() {
        assertThat(eval("size(label) = :v", ":v", n("6"))).isTrue();
        assertThat(eval("size(payload) = :v", ":v", n("6"))).isTrue();
        assertThat(eval("size(tags) = :v", ":v", n("2"))).isTrue();
        assertThat(eval("size(sizes) = :v", ":v", n("2"))).isTrue();
        assertThat(eval("size(blobs) = :v", ":v", n("2"))).isTrue();
        assertThat(eval("size(parts) > :v", ":v", n("2"))).isTrue();
        assertThat(eval("size(info) = :v", ":v", n("2"))).isTrue();
        assertThat(eval("size(info.dims) BETWEEN :a AND :b", ":a", n("1"), ":b", n("2"))).isTrue();
        assertThat(eval("size(qty) = :v", ":v", n("2"))).isFalse();
        assertThat(eval("size(absent) < :v", ":v", n("2"))).isFalse();
        assertThat(eval(":v < size(label)", ":v", n("2"))).isTrue();
    }

    // size of a string counts UTF-16 code units, as AWS does (verified against DynamoDB by ExtendDB #60: "é𝄞" is 3).
    @Test
    void sizeOfAStringCountsUtf16CodeUnits() {
        ConditionExpression c = Expressions.parseCondition("size(s) = :n", ctx(":n", n("3")));
        assertThat(c.evaluate(item("s", s("\u00e9\ud834\udd1e")))).isTrue();
    }

    // Missing attributes: "<>" is true even when both sides are missing, "=" is false (AWS-verified by ExtendDB #5).
    @Test
    void twoMissingAttributes() {
        assertThat(eval("absent <> nowhere")).isTrue();
        assertThat(eval("absent = nowhere")).isFalse();
    }

    // Comparators compare two attributes of the item too.
    @Test
    void pathsOnBothSides() {
        assertThat(eval("qty > price")).isTrue();
        assertThat(eval("info.dims[0] < info.dims[1]")).isTrue();
    }

    // Expression attribute names: #aliases for names with dots, reserved words or leading digits.
    @Test
    void aliasesStandForNamesThatCannotBeWrittenBare() {
        Map<String, AttributeValue> item = item("a.b", s("dotted"), "status", s("x"), "1st", s("first"));
        ExpressionContext ctx = ctx("#d", "a.b", "#s", "status", "#f", "1st", ":v", s("dotted"), ":x", s("x"), ":f", s("first"));
        assertThat(Expressions.parseCondition("#d = :v AND #s = :x AND #f = :f", ctx).evaluate(item)).isTrue();
    }

    // An absent item is an empty map: only attribute_not_exists-style conditions hold.
    @Test
    void conditionsOnAnAbsentItem() {
        ExpressionContext ctx = ctx(":v", n("1"));
        assertThat(Expressions.parseCondition("attribute_not_exists(id)", ctx(":v", n("1"), "#x", "x")).evaluate(Map.of()))
                .isTrue();
        assertThat(Expressions.parseCondition("qty = :v", ctx).evaluate(Map.of())).isFalse();
    }
}
