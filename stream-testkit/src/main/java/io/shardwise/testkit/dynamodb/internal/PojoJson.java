package io.shardwise.testkit.dynamodb.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * JSON ↔ SDK model objects for the {@code x-amz-json-1.0} protocol, driven by the field metadata every SDK v2 model
 * class carries ({@link SdkPojo#sdkFields()}): member names, types, list and map element types. One generic
 * converter therefore serves every request and response shape, {@code AttributeValue} included, and stays in step
 * with the SDK's own model. Timestamps are epoch seconds (with a fraction) and blobs base64, as the protocol has
 * them.
 */
final class PojoJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PojoJson() {}

    /** Fills {@code builder} (an SDK model builder) from {@code json} and builds it. */
    @SuppressWarnings("unchecked")
    static <T> T read(JsonNode json, SdkPojo builder) {
        if (!json.isObject()) {
            throw serialization("Start of structure or map found where not expected");
        }
        for (SdkField<?> field : builder.sdkFields()) {
            if (field.location() != MarshallLocation.PAYLOAD) {
                continue;
            }
            JsonNode value = json.get(field.locationName());
            if (value != null && !value.isNull()) {
                field.set(builder, readValue(field, value));
            }
        }
        return (T) ((SdkBuilder<?, ?>) builder).build();
    }

    private static Object readValue(SdkField<?> field, JsonNode value) {
        switch (field.marshallingType().getKnownType()) {
            case STRING:
                requireTextual(value);
                return value.asText();
            case INTEGER:
                return requireNumber(value).intValue();
            case LONG:
                return requireNumber(value).longValue();
            case DOUBLE:
                return requireNumber(value).doubleValue();
            case FLOAT:
                return requireNumber(value).floatValue();
            case BIG_DECIMAL:
                return requireNumber(value).decimalValue();
            case BOOLEAN:
                if (!value.isBoolean()) {
                    throw serialization("Unexpected value type in payload");
                }
                return value.booleanValue();
            case INSTANT:
                return value.isNumber()
                        ? instant(value.decimalValue())
                        : instant(new BigDecimal(value.asText()));
            case SDK_BYTES:
                requireTextual(value);
                try {
                    return SdkBytes.fromByteArray(Base64.getDecoder().decode(value.asText()));
                } catch (IllegalArgumentException e) {
                    throw serialization("Base64 encoded length is expected a multiple of 4 bytes");
                }
            case SDK_POJO:
                return read(value, field.constructor().get());
            case LIST: {
                if (!value.isArray()) {
                    throw serialization("Unexpected value type in payload");
                }
                SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
                List<Object> list = new ArrayList<>(value.size());
                for (JsonNode element : value) {
                    list.add(element.isNull() ? null : readValue(member, element));
                }
                return list;
            }
            case MAP: {
                if (!value.isObject()) {
                    throw serialization("Unexpected value type in payload");
                }
                SdkField<?> member = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), e.getValue().isNull() ? null : readValue(member, e.getValue()));
                }
                return map;
            }
            default:
                throw serialization("Unsupported member type " + field.marshallingType());
        }
    }

    /** The JSON object for an SDK model object; absent and auto-constructed (never set) members are left out. */
    static ObjectNode write(SdkPojo pojo) {
        ObjectNode node = NODES.objectNode();
        for (SdkField<?> field : pojo.sdkFields()) {
            if (field.location() != MarshallLocation.PAYLOAD) {
                continue;
            }
            Object value = field.getValueOrDefault(pojo);
            if (isPresent(value)) {
                node.set(field.locationName(), writeValue(field, value));
            }
        }
        return node;
    }

    private static boolean isPresent(Object value) {
        return value != null && !(value instanceof SdkAutoConstructList) && !(value instanceof SdkAutoConstructMap);
    }

    private static JsonNode writeValue(SdkField<?> field, Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (field.marshallingType().getKnownType()) {
            case STRING:
                return NODES.textNode((String) value);
            case INTEGER:
                return NODES.numberNode((Integer) value);
            case LONG:
                return NODES.numberNode((Long) value);
            case DOUBLE:
                return NODES.numberNode((Double) value);
            case FLOAT:
                return NODES.numberNode((Float) value);
            case BIG_DECIMAL:
                return NODES.numberNode((BigDecimal) value);
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case INSTANT: {
                Instant t = (Instant) value;
                return NODES.numberNode(BigDecimal.valueOf(t.toEpochMilli(), 3));
            }
            case SDK_BYTES:
                return NODES.textNode(Base64.getEncoder().encodeToString(((SdkBytes) value).asByteArrayUnsafe()));
            case SDK_POJO:
                return write((SdkPojo) value);
            case LIST: {
                SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
                ArrayNode array = NODES.arrayNode();
                for (Object element : (List<?>) value) {
                    array.add(writeValue(member, element));
                }
                return array;
            }
            case MAP: {
                SdkField<?> member = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
                ObjectNode map = NODES.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    map.set((String) e.getKey(), writeValue(member, e.getValue()));
                }
                return map;
            }
            default:
                throw new IllegalStateException("Unsupported member type " + field.marshallingType());
        }
    }

    private static Instant instant(BigDecimal epochSeconds) {
        BigDecimal millis = epochSeconds.movePointRight(3);
        return Instant.ofEpochMilli(millis.longValue());
    }

    private static void requireTextual(JsonNode value) {
        if (!value.isTextual()) {
            throw serialization("Unexpected value type in payload");
        }
    }

    private static JsonNode requireNumber(JsonNode value) {
        if (!value.isNumber()) {
            throw serialization("Unexpected value type in payload");
        }
        return value;
    }

    private static ApiException serialization(String message) {
        return AwsError.SERIALIZATION.with(message);
    }
}
