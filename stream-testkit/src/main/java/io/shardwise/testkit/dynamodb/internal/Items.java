package io.shardwise.testkit.dynamodb.internal;

import io.shardwise.testkit.dynamodb.expression.DynamoDbValidationException;
import io.shardwise.testkit.dynamodb.expression.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Item rules: what a stored value may be (exactly one type, no empty set, no duplicate set member, numbers in
 * DynamoDB's range, kept in canonical form) and how big an item is by AWS's size rules.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html">
 *     Supported data types and naming rules</a>
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html">
 *     DynamoDB item sizes and formats</a>
 */
public final class Items {

    /** 400 KB, the largest item DynamoDB stores. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    private Items() {}

    /**
     * A validated copy of {@code item} whose numbers are canonical, so that equal numbers are equal values (and
     * equal keys) whatever their spelling. Throws ValidationException as DynamoDB does.
     */
    public static Map<String, AttributeValue> normalize(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            if (e.getValue() == null) {
                throw AwsError.VALIDATION.with(
                        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
            }
            out.put(e.getKey(), normalize(e.getValue()));
        }
        return out;
    }

    /** A validated, canonical copy of one value (see {@link #normalize(Map)}). */
    public static AttributeValue normalize(AttributeValue v) {
        int kinds = (v.s() != null ? 1 : 0)
                + (v.n() != null ? 1 : 0)
                + (v.b() != null ? 1 : 0)
                + (v.hasSs() ? 1 : 0)
                + (v.hasNs() ? 1 : 0)
                + (v.hasBs() ? 1 : 0)
                + (v.hasM() ? 1 : 0)
                + (v.hasL() ? 1 : 0)
                + (v.bool() != null ? 1 : 0)
                + (v.nul() != null ? 1 : 0);
        if (kinds == 0) {
            throw AwsError.VALIDATION.with(
                    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        }
        if (kinds > 1) {
            throw AwsError.VALIDATION.with("Supplied AttributeValue has more than one datatypes set, "
                    + "must contain exactly one of the supported datatypes");
        }
        if (v.n() != null) {
            return AttributeValue.fromN(canonical(v.n()));
        }
        if (v.nul() != null && !v.nul()) {
            throw AwsError.VALIDATION.with(
                    "One or more parameter values were invalid: Null attribute value types must have the value of true");
        }
        if (v.hasSs()) {
            requireNonEmptyDistinct(v.ss(), "string");
            return v;
        }
        if (v.hasNs()) {
            List<String> ns = new ArrayList<>(v.ns().size());
            for (String n : v.ns()) {
                ns.add(canonical(n));
            }
            requireNonEmptyDistinct(ns, "number");
            return AttributeValue.fromNs(ns);
        }
        if (v.hasBs()) {
            requireNonEmptyDistinct(v.bs(), "binary");
            return v;
        }
        if (v.hasM()) {
            return AttributeValue.fromM(normalize(v.m()));
        }
        if (v.hasL()) {
            List<AttributeValue> l = new ArrayList<>(v.l().size());
            for (AttributeValue element : v.l()) {
                if (element == null) {
                    throw AwsError.VALIDATION.with(
                            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
                }
                l.add(normalize(element));
            }
            return AttributeValue.fromL(l);
        }
        return v;
    }

    private static String canonical(String n) {
        try {
            return Numbers.canonical(n);
        } catch (DynamoDbValidationException e) {
            throw AwsError.VALIDATION.with(e.getMessage());
        }
    }

    private static void requireNonEmptyDistinct(List<?> set, String kind) {
        if (set.isEmpty()) {
            // AWS's message, double space included.
            throw AwsError.VALIDATION.with(
                    "One or more parameter values were invalid: An " + kind + " set  may not be empty");
        }
        Set<Object> seen = new HashSet<>();
        for (Object member : set) {
            if (!seen.add(member)) {
                throw AwsError.VALIDATION.with("One or more parameter values were invalid: Input collection "
                        + set + " contains duplicates.");
            }
        }
    }

    /** The item's size: the sum over attributes of name bytes plus value size, as AWS counts it. */
    public static long size(Map<String, AttributeValue> item) {
        if (item == null) {
            return 0;
        }
        long total = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            total += utf8(e.getKey()) + size(e.getValue());
        }
        return total;
    }

    /** One value's size, without its attribute name. */
    public static long size(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return numberSize(v.n());
        }
        if (v.b() != null) {
            return v.b().asByteArrayUnsafe().length;
        }
        if (v.bool() != null || v.nul() != null) {
            return 1;
        }
        if (v.hasSs()) {
            long sum = 0;
            for (String s : v.ss()) {
                sum += utf8(s);
            }
            return sum;
        }
        if (v.hasNs()) {
            long sum = 0;
            for (String n : v.ns()) {
                sum += numberSize(n);
            }
            return sum;
        }
        if (v.hasBs()) {
            long sum = 0;
            for (SdkBytes b : v.bs()) {
                sum += b.asByteArrayUnsafe().length;
            }
            return sum;
        }
        if (v.hasM()) {
            // 3 bytes per map, 1 per element, plus the elements (names included).
            return 3 + v.m().size() + size(v.m());
        }
        if (v.hasL()) {
            long sum = 3 + v.l().size();
            for (AttributeValue element : v.l()) {
                sum += size(element);
            }
            return sum;
        }
        return 0;
    }

    /** (1 byte per two significant digits) + 1, leading and trailing zeroes trimmed. */
    private static long numberSize(String n) {
        int digits = 0;
        int firstNonZero = -1;
        int lastNonZero = -1;
        int index = 0;
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c == 'e' || c == 'E') {
                break;
            }
            if (Character.isDigit(c)) {
                if (c != '0') {
                    if (firstNonZero < 0) {
                        firstNonZero = index;
                    }
                    lastNonZero = index;
                }
                index++;
            }
        }
        digits = firstNonZero < 0 ? 1 : lastNonZero - firstNonZero + 1;
        return (digits + 1) / 2 + 1;
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Throws DynamoDB's error when the item is above 400 KB. */
    static void requireWithinSizeLimit(Map<String, AttributeValue> item) {
        if (size(item) > MAX_ITEM_BYTES) {
            throw AwsError.VALIDATION.with("Item size has exceeded the maximum allowed size");
        }
    }

    /** An unmodifiable copy, or an empty map for null. */
    static Map<String, AttributeValue> copy(Map<String, AttributeValue> item) {
        return item == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(item));
    }
}
