package io.shardwise.testkit.dynamodb.expression;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Short builders for attribute values in tests. */
final class Av {
    private Av() {
    }

    static AttributeValue s(String s) {
        return AttributeValue.builder().s(s).build();
    }

    static AttributeValue n(String n) {
        return AttributeValue.builder().n(n).build();
    }

    static AttributeValue b(String utf8) {
        return AttributeValue.builder().b(SdkBytes.fromString(utf8, StandardCharsets.UTF_8)).build();
    }

    static AttributeValue bool(boolean b) {
        return AttributeValue.builder().bool(b).build();
    }

    static AttributeValue nul() {
        return AttributeValue.builder().nul(true).build();
    }

    static AttributeValue ss(String... s) {
        return AttributeValue.builder().ss(s).build();
    }

    static AttributeValue ns(String... n) {
        return AttributeValue.builder().ns(n).build();
    }

    static AttributeValue bs(String... utf8) {
        return AttributeValue.builder().bs(java.util.Arrays.stream(utf8)
                .map(x -> SdkBytes.fromString(x, StandardCharsets.UTF_8)).toList()).build();
    }

    static AttributeValue l(AttributeValue... values) {
        return AttributeValue.builder().l(List.of(values)).build();
    }

    /** A map value from alternating keys and values. */
    static AttributeValue m(Object... keysAndValues) {
        return AttributeValue.builder().m(item(keysAndValues)).build();
    }

    /** An item from alternating attribute names and values. */
    static Map<String, AttributeValue> item(Object... keysAndValues) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            item.put((String) keysAndValues[i], (AttributeValue) keysAndValues[i + 1]);
        }
        return item;
    }

    /** A context from alternating names-or-values: keys starting with '#' are names (String), ':' values. */
    static ExpressionContext ctx(Object... keysAndValues) {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String key = (String) keysAndValues[i];
            if (key.startsWith("#")) {
                names.put(key, (String) keysAndValues[i + 1]);
            } else {
                values.put(key, (AttributeValue) keysAndValues[i + 1]);
            }
        }
        return new ExpressionContext(names.isEmpty() ? null : names, values.isEmpty() ? null : values);
    }
}
