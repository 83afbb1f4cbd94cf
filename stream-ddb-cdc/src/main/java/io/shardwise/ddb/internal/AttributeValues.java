package io.shardwise.ddb.internal;

import com.amazonaws.services.lambda.runtime.events.transformers.v2.dynamodb.DynamodbAttributeValueTransformer;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.internal.Redaction;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Attribute value helpers: conversion from the Lambda event model to SDK v2 (through the AWS transformer
 * library, with its one gap closed), the canonical item-key string, and comparison by meaning.
 */
public final class AttributeValues {

    private AttributeValues() {
    }

    /**
     * Converts a Lambda-event attribute map to SDK v2 with {@code aws-lambda-java-events-sdk-transformer}.
     *
     * <p>Workaround: the transformer (3.1.0) turns an empty {@code SS}, {@code NS} or {@code BS} into an
     * {@code AttributeValue} with no type at all (it passes {@code null} to the builder), and an attribute whose
     * JSON value is {@code null} into a {@code NullPointerException}. DynamoDB never sends either (empty sets are
     * not storable), so both mean a malformed record: this method rejects them with a message naming the
     * attribute, instead of handing the processor a typeless value. Everything else (S, N as an exact decimal
     * string, B, BOOL, NULL, non-empty sets, L including empty lists, M nested to any depth) converts faithfully;
     * see {@code AttributeConversionTest}.
     *
     * @param what names the map in error messages, e.g. "NewImage"
     * @return an unmodifiable map, or null if {@code source} is null
     * @throws NonRetryableException if the map holds a value the transformer cannot convert faithfully
     */
    public static Map<String, AttributeValue> toSdkV2(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> source, String what) {
        if (source == null) {
            return null;
        }
        for (Map.Entry<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> e
                : source.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new NonRetryableException(what + " has an attribute " + (e.getKey() == null ? "with no name"
                        : "'" + e.getKey() + "' with no value") + ": not a valid DynamoDB stream record");
            }
        }
        Map<String, AttributeValue> converted;
        try {
            converted = DynamodbAttributeValueTransformer.toAttributeValueMapV2(source);
        } catch (RuntimeException e) {
            throw new NonRetryableException(what + " holds a value that is not a DynamoDB attribute value: "
                    + e.getClass().getName() + ": " + Redaction.quotedValues(e.getMessage()), e);
        }
        for (Map.Entry<String, AttributeValue> e : converted.entrySet()) {
            requireTyped(e.getValue(), what + "." + e.getKey());
        }
        return Map.copyOf(converted);
    }

    private static void requireTyped(AttributeValue value, String path) {
        switch (value.type()) {
            case L -> {
                List<AttributeValue> l = value.l();
                for (int i = 0; i < l.size(); i++) {
                    requireTyped(l.get(i), path + "[" + i + "]");
                }
            }
            case M -> value.m().forEach((k, v) -> requireTyped(v, path + "." + k));
            case UNKNOWN_TO_SDK_VERSION -> throw new NonRetryableException("Attribute " + path + " has no type: an "
                    + "empty set (SS, NS or BS), which DynamoDB cannot store, or an unknown type. Not a valid "
                    + "DynamoDB stream record");
            default -> {
                // scalar or non-empty set: nothing nested
            }
        }
    }

    /**
     * The canonical string of an item's primary key, used as the ordering (partition) key: attributes sorted by
     * name, each value tagged with its type, in DynamoDB JSON with JSON string escaping, e.g.
     * {@code {"pk":{"S":"user#1"},"sk":{"N":"42"}}}. Unambiguous (JSON escaping keeps names and values apart) and
     * canonical: numbers are normalised ({@code 42.0} and {@code 4.2E1} give {@code 42}), binary is base64, set
     * members are sorted. Equal keys give equal strings whatever the order or spelling the stream used.
     */
    public static String canonicalKey(Map<String, AttributeValue> keys) {
        StringBuilder sb = new StringBuilder(64);
        writeMap(sb, keys);
        return sb.toString();
    }

    private static void writeMap(StringBuilder sb, Map<String, AttributeValue> map) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, AttributeValue> e : new TreeMap<>(map).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            writeString(sb, e.getKey());
            sb.append(':');
            writeValue(sb, e.getValue());
        }
        sb.append('}');
    }

    private static void writeValue(StringBuilder sb, AttributeValue v) {
        sb.append('{');
        switch (v.type()) {
            case S -> tagged(sb, "S").append(quoted(v.s()));
            case N -> tagged(sb, "N").append(quoted(canonicalNumber(v.n())));
            case B -> tagged(sb, "B").append(quoted(base64(v.b())));
            case BOOL -> tagged(sb, "BOOL").append(v.bool());
            case NUL -> tagged(sb, "NULL").append("true");
            case SS -> stringArray(tagged(sb, "SS"), v.ss().stream().sorted().toList());
            case NS -> stringArray(tagged(sb, "NS"), v.ns().stream().map(AttributeValues::canonicalNumber)
                    .sorted().toList());
            case BS -> stringArray(tagged(sb, "BS"), v.bs().stream().map(AttributeValues::base64).sorted().toList());
            case L -> {
                tagged(sb, "L").append('[');
                for (int i = 0; i < v.l().size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    writeValue(sb, v.l().get(i));
                }
                sb.append(']');
            }
            case M -> writeMap(tagged(sb, "M"), v.m());
            default -> tagged(sb, "?").append("null");
        }
        sb.append('}');
    }

    private static StringBuilder tagged(StringBuilder sb, String type) {
        return sb.append('"').append(type).append("\":");
    }

    private static void stringArray(StringBuilder sb, List<String> values) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            writeString(sb, values.get(i));
        }
        sb.append(']');
    }

    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(sb, s);
        return sb.toString();
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }

    /** {@code n} normalised: no trailing zeros, no exponent ({@code 4.20E1} → {@code 42}). Unparseable: as is. */
    static String canonicalNumber(String n) {
        BigDecimal parsed = parse(n);
        return parsed == null ? String.valueOf(n) : parsed.stripTrailingZeros().toPlainString();
    }

    private static BigDecimal parse(String n) {
        try {
            return new BigDecimal(n);
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    /**
     * Whether two values mean the same: same type, numbers numerically equal, sets equal as sets (numbers
     * compared numerically), lists element by element in order, maps entry by entry.
     */
    public static boolean equivalent(AttributeValue a, AttributeValue b) {
        if (a.type() != b.type()) {
            return false;
        }
        return switch (a.type()) {
            case N -> numbersEqual(a.n(), b.n());
            case SS -> new HashSet<>(a.ss()).equals(new HashSet<>(b.ss()));
            case NS -> normalisedNumbers(a.ns()).equals(normalisedNumbers(b.ns()));
            case BS -> new HashSet<>(a.bs()).equals(new HashSet<>(b.bs()));
            case L -> listsEquivalent(a.l(), b.l());
            case M -> mapsEquivalent(a.m(), b.m());
            default -> a.equals(b);
        };
    }

    private static boolean numbersEqual(String x, String y) {
        BigDecimal a = parse(x);
        BigDecimal b = parse(y);
        return a == null || b == null ? String.valueOf(x).equals(y) : a.compareTo(b) == 0;
    }

    private static Set<String> normalisedNumbers(List<String> ns) {
        Set<String> out = new HashSet<>();
        for (String n : ns) {
            out.add(canonicalNumber(n));
        }
        return out;
    }

    private static boolean listsEquivalent(List<AttributeValue> a, List<AttributeValue> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equivalent(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether two attribute maps hold the same names with equivalent values. */
    public static boolean mapsEquivalent(Map<String, AttributeValue> a, Map<String, AttributeValue> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, AttributeValue> e : a.entrySet()) {
            if (!equivalent(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** For error messages: the attribute names of a map, sorted; never the values. */
    public static List<String> names(Map<String, ?> map) {
        List<String> names = new ArrayList<>(map.keySet());
        names.sort(null);
        return names;
    }
}
