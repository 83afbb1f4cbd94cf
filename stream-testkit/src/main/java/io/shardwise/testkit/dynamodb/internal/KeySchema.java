package io.shardwise.testkit.dynamodb.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A table's primary key: the partition (hash) key and the optional sort (range) key, each with its scalar type
 * ({@code S}, {@code N} or {@code B}). Checks keys and items against it with DynamoDB's messages.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html">Quotas: partition
 *     key 2048 bytes, sort key 1024 bytes</a>
 */
record KeySchema(String hashName, String hashType, String rangeName, String rangeType) {

    static final int MAX_HASH_BYTES = 2048;
    static final int MAX_RANGE_BYTES = 1024;

    boolean hasRange() {
        return rangeName != null;
    }

    boolean isKeyAttribute(String name) {
        return name.equals(hashName) || name.equals(rangeName);
    }

    /**
     * The key of a request's {@code Key} member: exactly the key attributes, each of the schema's type.
     *
     * @throws ApiException ValidationException "The provided key element does not match the schema" otherwise
     */
    ItemKey keyOf(Map<String, AttributeValue> key) {
        if (key == null || key.size() != (hasRange() ? 2 : 1)) {
            throw mismatch();
        }
        AttributeValue hash = key.get(hashName);
        AttributeValue range = hasRange() ? key.get(rangeName) : null;
        if (hash == null || !hashType.equals(typeOf(hash)) || (hasRange() && (range == null || !rangeType.equals(typeOf(range))))) {
            throw mismatch();
        }
        hash = Items.normalize(hash);
        range = range == null ? null : Items.normalize(range);
        checkKeyValue(hashName, hash, MAX_HASH_BYTES, "Size of hashkey has exceeded the maximum size limit of 2048 bytes");
        if (range != null) {
            checkKeyValue(rangeName, range, MAX_RANGE_BYTES,
                    "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
        }
        return new ItemKey(hash, range);
    }

    /**
     * The key of a whole item (PutItem): the key attributes must be there, of the right type.
     *
     * @throws ApiException ValidationException naming the missing or mistyped key attribute
     */
    ItemKey keyOfItem(Map<String, AttributeValue> item) {
        AttributeValue hash = requireKeyAttribute(item, hashName, hashType);
        AttributeValue range = hasRange() ? requireKeyAttribute(item, rangeName, rangeType) : null;
        checkKeyValue(hashName, hash, MAX_HASH_BYTES, "Size of hashkey has exceeded the maximum size limit of 2048 bytes");
        if (range != null) {
            checkKeyValue(rangeName, range, MAX_RANGE_BYTES,
                    "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
        }
        return new ItemKey(hash, range);
    }

    private static AttributeValue requireKeyAttribute(Map<String, AttributeValue> item, String name, String type) {
        AttributeValue v = item.get(name);
        if (v == null) {
            throw AwsError.VALIDATION.with(
                    "One or more parameter values were invalid: Missing the key " + name + " in the item");
        }
        String actual = typeOf(v);
        if (!type.equals(actual)) {
            throw AwsError.VALIDATION.with("One or more parameter values were invalid: Type mismatch for key "
                    + name + " expected: " + type + " actual: " + actual);
        }
        return v;
    }

    private static void checkKeyValue(String name, AttributeValue v, int maxBytes, String tooLong) {
        long size = Items.size(v);
        if (size == 0 && v.n() == null) {
            throw AwsError.VALIDATION.with("One or more parameter values are not valid. The AttributeValue for a key"
                    + " attribute cannot contain an empty " + (v.s() != null ? "string" : "binary") + " value. Key: "
                    + name);
        }
        if (size > maxBytes) {
            throw AwsError.VALIDATION.with("One or more parameter values were invalid: " + tooLong);
        }
    }

    /** The key attributes of {@code item}, as a map (for stream records, UnprocessedKeys, LastEvaluatedKey). */
    Map<String, AttributeValue> keyAttributes(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put(hashName, item.get(hashName));
        if (hasRange()) {
            key.put(rangeName, item.get(rangeName));
        }
        return key;
    }

    static ApiException mismatch() {
        return AwsError.VALIDATION.with("The provided key element does not match the schema");
    }

    /** The scalar type letter of a value, or its full type name for non-scalars (for messages). */
    static String typeOf(AttributeValue v) {
        if (v.s() != null) {
            return "S";
        }
        if (v.n() != null) {
            return "N";
        }
        if (v.b() != null) {
            return "B";
        }
        if (v.hasSs()) {
            return "SS";
        }
        if (v.hasNs()) {
            return "NS";
        }
        if (v.hasBs()) {
            return "BS";
        }
        if (v.hasM()) {
            return "M";
        }
        if (v.hasL()) {
            return "L";
        }
        if (v.bool() != null) {
            return "BOOL";
        }
        return "NULL";
    }
}
