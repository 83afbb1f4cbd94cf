package io.shardwise.testkit.dynamodb.expression;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.regex.Pattern;

/**
 * DynamoDB's number type: up to 38 significant digits, magnitudes from 1E-130 to 9.9999999999999999999999999999999999999E+125
 * (Developer Guide, "Supported data types and naming rules", Number). Values are kept as strings in canonical form: plain
 * notation, no leading or trailing zeros, {@code -0} is {@code 0} (what GetItem returns for a number that was put in any
 * other spelling).
 *
 * <p>Stateless and thread-safe.
 */
public final class Numbers {
    private static final int MAX_DIGITS = 38;
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final BigDecimal MAX = new BigDecimal("9.9999999999999999999999999999999999999E+125");
    private static final BigDecimal MIN = new BigDecimal("1E-130");

    private Numbers() {
    }

    /** The canonical form of {@code n}; throws {@link DynamoDbValidationException} with AWS's message when DynamoDB would. */
    public static String canonical(String n) {
        return format(checked(parse(n)));
    }

    /** Numeric comparison, so {@code "1.0"} equals {@code "1"}. */
    public static int compare(String a, String b) {
        return parse(a).compareTo(parse(b));
    }

    /** {@code a + b}, exact, then held to DynamoDB's limits (an update's {@code +} and {@code ADD}). */
    public static String add(String a, String b) {
        return format(checked(parse(a).add(parse(b))));
    }

    /** {@code a - b}, exact, then held to DynamoDB's limits. */
    public static String subtract(String a, String b) {
        return format(checked(parse(a).subtract(parse(b))));
    }

    static BigDecimal parse(String n) {
        if (n == null) {
            throw new DynamoDbValidationException("The parameter cannot be converted to a numeric value");
        }
        // Decimal notation only: no surrounding whitespace (AWS-recorded), no "Infinity"/"NaN"/hex.
        if (!DECIMAL.matcher(n).matches()) {
            throw new DynamoDbValidationException("The parameter cannot be converted to a numeric value: " + n);
        }
        try {
            return new BigDecimal(n);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new DynamoDbValidationException("The parameter cannot be converted to a numeric value: " + n);
        }
    }

    private static BigDecimal checked(BigDecimal value) {
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        BigDecimal magnitude = stripped.abs();
        if (magnitude.compareTo(MAX) > 0) {
            throw new DynamoDbValidationException(
                    "Number overflow. Attempting to store a number with magnitude larger than supported range");
        }
        if (magnitude.compareTo(MIN) < 0) {
            throw new DynamoDbValidationException(
                    "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        }
        if (stripped.precision() > MAX_DIGITS) {
            throw new DynamoDbValidationException("Attempting to store more than 38 significant digits in a Number");
        }
        return stripped.round(MathContext.UNLIMITED);
    }

    private static String format(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.toPlainString();
    }
}
