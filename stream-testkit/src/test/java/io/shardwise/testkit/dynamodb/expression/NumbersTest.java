package io.shardwise.testkit.dynamodb.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Developer Guide, "Supported data types and naming rules in Amazon DynamoDB", Number. */
class NumbersTest {

    // Number: "Leading and trailing zeroes are trimmed"; numbers are returned as strings in plain form.
    @ParameterizedTest
    @CsvSource({
            "1.500, 1.5",
            "007, 7",
            "-0, 0",
            "0.000, 0",
            "+5, 5",
            "1e3, 1000",
            "1.5E+2, 150",
            "-12.3400, -12.34",
            "1E-130, 0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
            ".5, 0.5"
    })
    void canonicalFormTrimsZerosAndUsesPlainNotation(String input, String expected) {
        assertThat(Numbers.canonical(input)).isEqualTo(expected);
    }

    // Number: "Numbers can have up to 38 digits of precision".
    @Test
    void thirtyEightSignificantDigitsAreKeptAndThirtyNineRefused() {
        String digits38 = "12345678901234567890123456789012345678";
        assertThat(Numbers.canonical(digits38)).isEqualTo(digits38);
        assertThat(Numbers.canonical("0.000" + digits38 + "000")).isEqualTo("0.000" + digits38);
        assertThatThrownBy(() -> Numbers.canonical(digits38 + "9"))
                .isInstanceOf(DynamoDbValidationException.class)
                .hasMessage("Attempting to store more than 38 significant digits in a Number");
    }

    // Number: "Positive range: 1E-130 to 9.9999999999999999999999999999999999999E+125" (negative likewise).
    @Test
    void magnitudeOutsideTheRangeIsRefusedWithAwsMessages() {
        assertThat(Numbers.canonical("9.9999999999999999999999999999999999999E+125")).startsWith("99999999999999999999999999999999999999");
        assertThatThrownBy(() -> Numbers.canonical("1E+126"))
                .hasMessage("Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertThatThrownBy(() -> Numbers.canonical("-1E+126"))
                .hasMessage("Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertThatThrownBy(() -> Numbers.canonical("1E-131"))
                .hasMessage("Number underflow. Attempting to store a number with magnitude smaller than supported range");
    }

    @ParameterizedTest
    @CsvSource({"abc", "1..2", "1e", "NaN", "Infinity", "inf", "0x10", "''", "'\"42.0\"'"})
    void textThatIsNotANumberIsRefused(String input) {
        assertThatThrownBy(() -> Numbers.canonical(input))
                .isInstanceOf(DynamoDbValidationException.class)
                .hasMessageStartingWith("The parameter cannot be converted to a numeric value");
    }

    // AWS-recorded (moto's PutItem number tests): surrounding whitespace is not accepted, with the value in the message.
    @Test
    void surroundingWhitespaceIsRefused() {
        assertThatThrownBy(() -> Numbers.canonical(" 1.23"))
                .hasMessage("The parameter cannot be converted to a numeric value:  1.23");
        assertThatThrownBy(() -> Numbers.canonical("1.23 "))
                .hasMessage("The parameter cannot be converted to a numeric value: 1.23 ");
    }

    // AWS-recorded: forms Python's float accepts and DynamoDB also accepts; trailing zeros do not count as digits.
    @Test
    void awsAcceptedSpellings() {
        assertThat(Numbers.canonical("1e-003")).isEqualTo("0.001");
        assertThat(Numbers.canonical("+1E6")).isEqualTo("1000000");
        assertThat(Numbers.canonical("0".repeat(40) + ".42")).isEqualTo("0.42");
        assertThat(Numbers.canonical("-0.0")).isEqualTo("0");
        assertThatThrownBy(() -> Numbers.canonical("2.2250738585072014e-150"))
                .hasMessage("Number underflow. Attempting to store a number with magnitude smaller than supported range");
    }

    // Comparison operator reference: numbers compare by value, not by text.
    @Test
    void compareIsNumeric() {
        assertThat(Numbers.compare("10", "9")).isPositive();
        assertThat(Numbers.compare("1.0", "1")).isZero();
        assertThat(Numbers.compare("-2", "-10")).isPositive();
    }

    // Update expressions, "Incrementing and decrementing numeric attributes": exact decimal arithmetic.
    @Test
    void addAndSubtractAreExactAndCanonical() {
        assertThat(Numbers.add("0.1", "0.2")).isEqualTo("0.3");
        assertThat(Numbers.add("99999999999999999999", "0.00000001")).isEqualTo("99999999999999999999.00000001");
        assertThat(Numbers.subtract("5", "5.0")).isEqualTo("0");
        assertThat(Numbers.subtract("1", "1.5")).isEqualTo("-0.5");
    }

    // Number range applies to results too: an ADD past the maximum is refused, not rounded.
    @Test
    void arithmeticResultsAreHeldToTheSameLimits() {
        assertThatThrownBy(() -> Numbers.add("9.9999999999999999999999999999999999999E+125", "1E+125"))
                .hasMessage("Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertThatThrownBy(() -> Numbers.add("1E+37", "0.1"))
                .hasMessage("Attempting to store more than 38 significant digits in a Number");
    }
}
