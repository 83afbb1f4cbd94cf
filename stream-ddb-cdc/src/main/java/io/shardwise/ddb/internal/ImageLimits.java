package io.shardwise.ddb.internal;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * DynamoDB's own limits on an item, checked on a stream record's {@code Keys}, {@code NewImage} and
 * {@code OldImage} before any work that grows faster than their size (number parsing and normalising, the
 * transformer's and the table schema's recursion). The real service never sends a record beyond them, so one that
 * is beyond them was built by hand or altered: it is a bad record (parked with its payload), and must never cost
 * the batch minutes, memory or its stack (issue 20, item 15).
 *
 * <ul>
 *   <li>Numbers: at most {@value #MAX_DIGITS} significant digits, magnitude zero or from 1E-130 to
 *       9.9999999999999999999999999999999999999E+125. A number string longer than {@value #MAX_NUMBER_CHARS}
 *       characters is refused before it is parsed (the longest such number written out in full has 170).</li>
 *   <li>Nesting: a value inside more than {@value #MAX_DEPTH} maps or lists is refused; the walk never goes
 *       deeper, so it needs a bounded stack whatever the input.</li>
 *   <li>Size: each map at most {@value #MAX_ITEM_BYTES} bytes (400 KB), counted as a lower bound of DynamoDB's own
 *       item size (attribute names and strings in UTF-8, binary as is, numbers as DynamoDB sizes them from their
 *       significant digits, one byte per boolean or null; list and map overhead not counted), so no real item is
 *       ever refused.</li>
 * </ul>
 * The work is linear in the record's size, and stops at the first problem. Stateless, thread-safe.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html">DynamoDB
 *      quotas: item size and nested attribute depth</a>
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html">
 *      DynamoDB data types: number precision and range</a>
 */
public final class ImageLimits {

    public static final int MAX_DIGITS = 38;
    /** The adjusted exponent (of the first significant digit) of 1E-130 and of 9.99…E+125. */
    public static final int MIN_EXPONENT = -130;
    public static final int MAX_EXPONENT = 125;
    public static final int MAX_DEPTH = 32;
    public static final long MAX_ITEM_BYTES = 400L * 1024;
    /** Generous above the 170 characters of the longest valid number in plain notation, e.g. -0.000…01234…. */
    static final int MAX_NUMBER_CHARS = 400;

    private static final String RANGE = "1E-130 to 9.9999999999999999999999999999999999999E+125";

    private ImageLimits() {
    }

    /**
     * The first limit {@code map} breaks, as a message naming the attribute's path (never its value), or null when
     * it keeps them all (or is null).
     *
     * @param which the map's name for the message: {@code Keys}, {@code NewImage} or {@code OldImage}
     */
    public static String violation(Map<String, AttributeValue> map, String which) {
        if (map == null) {
            return null;
        }
        Walk walk = new Walk();
        String problem = walk.map(map, which, 0);
        if (problem == TOO_LARGE) {
            return which + " is at least " + walk.bytes + " bytes, above DynamoDB's item limit of " + MAX_ITEM_BYTES
                    + " bytes (400 KB)";
        }
        return problem;
    }

    /** Returned (by identity) as soon as the count passes {@link #MAX_ITEM_BYTES}: the walk stops there. */
    private static final String TOO_LARGE = new String("too large");

    /** One map's walk: the bytes counted so far. */
    private static final class Walk {
        long bytes;

        /** @param depth how many maps and lists of the attribute enclose the map's values */
        String map(Map<String, AttributeValue> map, String path, int depth) {
            for (Map.Entry<String, AttributeValue> e : map.entrySet()) {
                String name = e.getKey();
                bytes += name == null ? 0 : utf8Length(name);
                String problem = value(e.getValue(), path + "." + name, depth);
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        }

        /** @param depth how many maps and lists of the attribute enclose {@code v} */
        String value(AttributeValue v, String path, int depth) {
            if (depth > MAX_DEPTH) {
                return path + ": nested deeper than DynamoDB's " + MAX_DEPTH + " levels";
            }
            if (v == null) {
                return null; // the conversion reports it, with its own message
            }
            String problem = null;
            if (v.getS() != null) {
                bytes += utf8Length(v.getS());
            } else if (v.getN() != null) {
                problem = number(v.getN(), path);
            } else if (v.getB() != null) {
                bytes += v.getB().remaining();
            } else if (v.getSS() != null) {
                for (String s : v.getSS()) {
                    bytes += s == null ? 0 : utf8Length(s);
                }
            } else if (v.getNS() != null) {
                List<String> ns = v.getNS();
                for (int i = 0; i < ns.size() && problem == null; i++) {
                    problem = ns.get(i) == null ? null : number(ns.get(i), path + "[" + i + "]");
                }
            } else if (v.getBS() != null) {
                for (ByteBuffer b : v.getBS()) {
                    bytes += b == null ? 0 : b.remaining();
                }
            } else if (v.getL() != null) {
                List<AttributeValue> l = v.getL();
                for (int i = 0; i < l.size() && problem == null; i++) {
                    problem = value(l.get(i), path + "[" + i + "]", depth + 1);
                }
            } else if (v.getM() != null) {
                problem = map(v.getM(), path, depth + 1);
            } else {
                bytes += 1; // BOOL or NULL
            }
            return problem != null ? problem : bytes > MAX_ITEM_BYTES ? TOO_LARGE : null;
        }

        private String number(String n, String path) {
            if (n.length() > MAX_NUMBER_CHARS) {
                return path + ": the number is " + n.length() + " characters long; DynamoDB numbers have at most "
                        + MAX_DIGITS + " significant digits";
            }
            BigDecimal d;
            try {
                d = new BigDecimal(n);
            } catch (NumberFormatException e) {
                return null; // not a number at all: the conversion or the schema says so, naming the attribute
            }
            if (d.signum() == 0) {
                bytes += 1;
                return null;
            }
            BigDecimal stripped;
            try {
                stripped = d.stripTrailingZeros(); // at most MAX_NUMBER_CHARS digits: cheap
            } catch (ArithmeticException e) {
                return path + ": the number has an exponent outside DynamoDB's range (" + RANGE + ")"; // scale overflow
            }
            int digits = stripped.precision();
            if (digits > MAX_DIGITS) {
                return path + ": the number has " + digits + " significant digits; DynamoDB numbers have at most "
                        + MAX_DIGITS;
            }
            long exponent = (long) digits - stripped.scale() - 1;
            if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
                return path + ": the number has an exponent outside DynamoDB's range (" + RANGE + ")";
            }
            bytes += (digits + 1) / 2 + 1;
            return null;
        }
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
