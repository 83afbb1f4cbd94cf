package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.item;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Properties of numbers ("Supported data types and naming rules", Number) and of the condition language's logic
 * ("Comparison operator and function reference", Logical evaluations) over generated inputs.
 */
class ExpressionProperties {

    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMaxLength(15);
        Arbitrary<Integer> exponent = Arbitraries.integers().between(-60, 60);
        return Combinators.combine(Arbitraries.of("", "-", "+"), digits, fraction, exponent)
                .as((sign, i, f, e) -> sign + i + (f.isEmpty() ? "" : "." + f) + (e == 0 ? "" : "E" + e));
    }

    // Canonical form: stable, same value, no trailing zeros, no exponent, "0" for any zero.
    @Property
    void canonicalFormIsStableAndKeepsTheValue(@ForAll("numbers") String n) {
        String c = Numbers.canonical(n);
        assertThat(Numbers.canonical(c)).isEqualTo(c);
        assertThat(new BigDecimal(c).compareTo(new BigDecimal(n))).isZero();
        assertThat(c).doesNotContain("E").doesNotStartWith("+");
        if (c.contains(".")) {
            assertThat(c).doesNotEndWith("0");
        }
        if (new BigDecimal(n).signum() == 0) {
            assertThat(c).isEqualTo("0");
        }
    }

    @Property
    void compareAgreesWithDecimalOrder(@ForAll("numbers") String a, @ForAll("numbers") String b) {
        assertThat(Integer.signum(Numbers.compare(a, b))).isEqualTo(new BigDecimal(a).compareTo(new BigDecimal(b)));
    }

    // Exact arithmetic: the sum is the exact decimal sum when DynamoDB can store it (38 digits), refused when not;
    // addition commutes.
    @Property
    void addIsExactWithinTheLimitsAndRefusedBeyond(@ForAll("numbers") String a, @ForAll("numbers") String b) {
        BigDecimal exact = new BigDecimal(a).add(new BigDecimal(b));
        boolean storable = exact.signum() == 0 || exact.stripTrailingZeros().precision() <= 38;
        if (storable) {
            String sum = Numbers.add(a, b);
            assertThat(new BigDecimal(sum).compareTo(exact)).isZero();
            assertThat(Numbers.add(b, a)).isEqualTo(sum);
            assertThat(Numbers.compare(Numbers.subtract(sum, b), a)).isZero();
        } else {
            assertThatThrownBy(() -> Numbers.add(a, b))
                    .hasMessage("Attempting to store more than 38 significant digits in a Number");
        }
    }

    @Provide
    Arbitrary<Map<String, AttributeValue>> items() {
        Arbitrary<AttributeValue> value = Arbitraries.oneOf(
                Arbitraries.integers().between(-3, 3).map(i -> n(Integer.toString(i))),
                Arbitraries.of("a", "b", "ab").map(Av::s));
        return Combinators.combine(value.injectDuplicates(0.3).optional(), value.optional())
                .as((x, y) -> {
                    Map<String, AttributeValue> item = item();
                    x.ifPresent(v -> item.put("x", v));
                    y.ifPresent(v -> item.put("y", v));
                    return item;
                });
    }

    @Provide
    Arbitrary<String> comparisons() {
        return Combinators.combine(Arbitraries.of("x", "y", ":n", ":s"), Arbitraries.of("=", "<>", "<", "<=", ">", ">="),
                Arbitraries.of("x", "y", ":n", ":s")).as((l, op, r) -> l + " " + op + " " + r);
    }

    private static boolean eval(String expression, Map<String, AttributeValue> item) {
        return Expressions.parseCondition(expression, ctx(":n", n("1"), ":s", s("a"))).evaluate(item);
    }

    // NOT negates; De Morgan; "<>" is "NOT ="; "a < b" is "b > a"; BETWEEN is ">= AND <=".
    @Property(tries = 300)
    void logicalLaws(@ForAll("items") Map<String, AttributeValue> item, @ForAll("comparisons") String c1,
                     @ForAll("comparisons") String c2) {
        boolean a = eval(c1, item);
        boolean b = eval(c2, item);
        assertThat(eval("NOT (" + c1 + ")", item)).isEqualTo(!a);
        assertThat(eval("(" + c1 + ") AND (" + c2 + ")", item)).isEqualTo(a && b);
        assertThat(eval("NOT ((" + c1 + ") OR (" + c2 + "))", item)).isEqualTo(!a && !b);
        assertThat(eval("x <> y", item)).isEqualTo(!eval("x = y", item));
        assertThat(eval("x < y", item)).isEqualTo(eval("y > x", item));
        assertThat(eval("x BETWEEN y AND :n", item)).isEqualTo(eval("x >= y AND x <= :n", item));
    }
}
