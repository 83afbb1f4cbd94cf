package io.shardwise.testkit.dynamodb.expression;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the expression language needs to know about an {@link AttributeValue}: its type code, equality and order as
 * DynamoDB defines them ("Comparison operator and function reference": strings compare by UTF-8 bytes, binaries as
 * unsigned bytes, numbers numerically; values of different types are never equal and never ordered).
 */
final class Values {
    private Values() {
    }

    /** The wire type code: S, N, B, SS, NS, BS, M, L, BOOL or NULL. */
    static String type(AttributeValue v) {
        return switch (v.type()) {
            case S -> "S";
            case N -> "N";
            case B -> "B";
            case SS -> "SS";
            case NS -> "NS";
            case BS -> "BS";
            case M -> "M";
            case L -> "L";
            case BOOL -> "BOOL";
            case NUL -> "NULL";
            default -> throw new DynamoDbValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        };
    }

    /** The type's name in AWS's "typeSet" messages (ADD/DELETE operand checks). */
    static String longTypeName(AttributeValue v) {
        return switch (type(v)) {
            case "S" -> "STRING";
            case "N" -> "NUMBER";
            case "B" -> "BINARY";
            case "SS" -> "STRING_SET";
            case "NS" -> "NUMBER_SET";
            case "BS" -> "BINARY_SET";
            case "M" -> "MAP";
            case "L" -> "LIST";
            case "BOOL" -> "BOOLEAN";
            default -> "NULL";
        };
    }

    static boolean isSet(AttributeValue v) {
        return v.hasSs() || v.hasNs() || v.hasBs();
    }

    static boolean equal(AttributeValue a, AttributeValue b) {
        if (a == null || b == null || !type(a).equals(type(b))) {
            return false;
        }
        return switch (type(a)) {
            case "S" -> a.s().equals(b.s());
            case "N" -> Numbers.compare(a.n(), b.n()) == 0;
            case "B" -> a.b().equals(b.b());
            case "BOOL" -> a.bool().equals(b.bool());
            case "NULL" -> true;
            case "SS" -> a.ss().size() == b.ss().size() && a.ss().containsAll(b.ss());
            case "BS" -> a.bs().size() == b.bs().size() && a.bs().containsAll(b.bs());
            case "NS" -> a.ns().size() == b.ns().size() && a.ns().stream().allMatch(x -> containsNumber(b.ns(), x));
            case "L" -> listsEqual(a.l(), b.l());
            case "M" -> mapsEqual(a.m(), b.m());
            default -> false;
        };
    }

    private static boolean listsEqual(List<AttributeValue> a, List<AttributeValue> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean mapsEqual(Map<String, AttributeValue> a, Map<String, AttributeValue> b) {
        return a.size() == b.size() && a.entrySet().stream().allMatch(e -> equal(e.getValue(), b.get(e.getKey())));
    }

    static boolean containsNumber(List<String> numbers, String n) {
        return numbers.stream().anyMatch(x -> Numbers.compare(x, n) == 0);
    }

    /** True when a and b are of one orderable type (S, N, B); only then does {@link #compare} apply. */
    static boolean comparable(AttributeValue a, AttributeValue b) {
        if (a == null || b == null) {
            return false;
        }
        String t = type(a);
        return t.equals(type(b)) && (t.equals("S") || t.equals("N") || t.equals("B"));
    }

    /** Order of two values for which {@link #comparable} holds. */
    static int compare(AttributeValue a, AttributeValue b) {
        return switch (type(a)) {
            case "N" -> Numbers.compare(a.n(), b.n());
            case "S" -> Arrays.compareUnsigned(a.s().getBytes(StandardCharsets.UTF_8), b.s().getBytes(StandardCharsets.UTF_8));
            default -> Arrays.compareUnsigned(a.b().asByteArrayUnsafe(), b.b().asByteArrayUnsafe());
        };
    }

    static boolean startsWith(byte[] value, byte[] prefix) {
        return value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
    }

    static boolean containsBytes(byte[] value, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= value.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (value[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static byte[] bytes(SdkBytes b) {
        return b.asByteArrayUnsafe();
    }

    /** How AWS prints a value in BETWEEN's error message: {@code AttributeValue: {N:5}}. */
    static String describe(AttributeValue v) {
        String t = type(v);
        Object raw = switch (t) {
            case "S" -> v.s();
            case "N" -> v.n();
            case "BOOL" -> v.bool();
            default -> Objects.toString(v);
        };
        return "AttributeValue: {" + t + ":" + raw + "}";
    }

    static AttributeValue number(String n) {
        return AttributeValue.builder().n(n).build();
    }
}
