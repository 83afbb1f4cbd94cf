package io.shardwise.core.internal;

import java.util.regex.Pattern;

/**
 * Keeps payload out of error messages. Jackson and JDK parsers quote the offending input in their messages
 * ({@code Unrecognized token 'abc'}, {@code from String "4111-..."}, {@code For input string: "x"}); those messages
 * ({@code Numeric value (4111111111111111) out of range of int}) end up in failure log lines and parked-record metadata, which must not carry payload unless the user asks for it
 * (SPEC §7). Quoted segments are replaced with {@code …}; type names in backticks are kept. Best effort: the
 * original message stays available in the exception's cause. Shared by the adapters.
 */
public final class Redaction {
    private static final Pattern SINGLE = Pattern.compile("'[^'\\n]*'");
    private static final Pattern DOUBLE = Pattern.compile("\"[^\"\\n]*\"");
    /** Jackson names an unexpected character by its code too: {@code ('x' (code 120))}. */
    private static final Pattern CHAR_CODE = Pattern.compile("\\(code \\d+\\)");
    /**
     * Jackson quotes a number that does not fit its target in parentheses, not quotes:
     * {@code Numeric value (4111111111111111) out of range of int (-2147483648 - 2147483647)}. The value is payload;
     * the type's range (with spaces around its dash) is not and is kept.
     */
    private static final Pattern NUMBER_IN_PARENS = Pattern.compile("\\(-?[0-9][0-9.eE+\\-]*\\)");

    private Redaction() {
    }

    /** {@code message} with every quoted segment replaced by a quoted ellipsis; null stays null. */
    public static String quotedValues(String message) {
        if (message == null) {
            return null;
        }
        String s = DOUBLE.matcher(message).replaceAll("\"…\"");
        s = CHAR_CODE.matcher(s).replaceAll("(code …)");
        s = NUMBER_IN_PARENS.matcher(s).replaceAll("(…)");
        return SINGLE.matcher(s).replaceAll("'…'");
    }
}
