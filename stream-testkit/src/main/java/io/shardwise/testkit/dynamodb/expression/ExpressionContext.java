package io.shardwise.testkit.dynamodb.expression;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One request's {@code ExpressionAttributeNames} and {@code ExpressionAttributeValues} ("Expression attribute names
 * (aliases)" and "Using expression attribute values" in the Developer Guide). Every expression of the request is
 * parsed against the same context; afterwards {@link #verifyAllUsed()} rejects names or values that no expression
 * used, as DynamoDB does.
 *
 * <p>Not thread-safe: one per request.
 */
public final class ExpressionContext {
    /** AWS puts this before some messages of write operations (PutItem, UpdateItem, DeleteItem), as recorded. */
    static final String WRITE_PREFIX = "1 validation error detected: ";
    private static final Pattern NAME_KEY = Pattern.compile("#[A-Za-z0-9_]+");
    private static final Pattern VALUE_KEY = Pattern.compile(":[A-Za-z0-9_]+");

    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedValues = new HashSet<>();
    private final boolean writeOperation;

    /**
     * A read context (GetItem, Query, Scan, TransactGetItems). Errors of an update expression carry the write prefix
     * even here, since an update only ever comes in a write.
     *
     * @param names  {@code ExpressionAttributeNames}, or null (or the SDK's auto-construct map) when the request has none
     * @param values {@code ExpressionAttributeValues}, or null (or the SDK's auto-construct map) when the request has none
     * @throws DynamoDbValidationException when a key lacks its {@code #} or {@code :} (AWS's "contains invalid key");
     *         maps sent empty are {@link #checkNotSentEmpty}'s to refuse
     */
    public ExpressionContext(Map<String, String> names, Map<String, AttributeValue> values) {
        this(names, values, false);
    }

    /**
     * A context for a write operation (PutItem, UpdateItem, DeleteItem, a transaction's actions) when
     * {@code writeOperation}: AWS prefixes the request-validation errors of those with {@code 1 validation error
     * detected: } — unused or empty names and values, operand types, redundant parentheses, overlapping paths — but
     * not the parse stage's (syntax errors, reserved words, undefined aliases, the 4 KB limit) nor errors found
     * against the stored item.
     *
     * @throws DynamoDbValidationException when a key lacks its {@code #} or {@code :} (AWS's "contains invalid key")
     */
    public ExpressionContext(Map<String, String> names, Map<String, AttributeValue> values, boolean writeOperation) {
        this.writeOperation = writeOperation;
        this.names = names == null ? Map.of() : new LinkedHashMap<>(names);
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
        for (String key : this.names.keySet()) {
            if (!NAME_KEY.matcher(key).matches()) {
                throw new DynamoDbValidationException(
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
            }
        }
        for (String key : this.values.keySet()) {
            if (!VALUE_KEY.matcher(key).matches()) {
                throw new DynamoDbValidationException(
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
            }
        }
    }

    /**
     * Refuses maps the request sent empty, as AWS does ("ExpressionAttributeNames must not be empty", with the write
     * prefix in write operations). Call it with the request's own maps, before copying them: an empty map the caller
     * left out (null, or the SDK model's "not set" auto-construct map) is fine. Not done by the constructor, which
     * cannot tell a copied "not set" map from one sent empty.
     *
     * @throws DynamoDbValidationException when {@code names} or {@code values} was sent empty
     */
    public static void checkNotSentEmpty(Map<String, String> names, Map<String, AttributeValue> values,
                                         boolean writeOperation) {
        String prefix = writeOperation ? WRITE_PREFIX : "";
        if (sentEmpty(names)) {
            throw new DynamoDbValidationException(prefix + "ExpressionAttributeNames must not be empty");
        }
        if (sentEmpty(values)) {
            throw new DynamoDbValidationException(prefix + "ExpressionAttributeValues must not be empty");
        }
    }

    /** An empty map the caller sent, as opposed to one it left out (null, or the SDK model's "not set" map). */
    private static boolean sentEmpty(Map<?, ?> map) {
        return map != null && map.isEmpty() && !(map instanceof SdkAutoConstructMap);
    }

    /**
     * Throws when a name or value was given but no expression used it: {@code Value provided in ExpressionAttributeNames
     * unused in expressions: keys: {#a, #b}} (names are checked first). A read context gives GetItem's and Query's
     * wording; a write context (see the three-argument constructor) prefixes it as PutItem and UpdateItem do.
     */
    public void verifyAllUsed() {
        verify(writeOperation ? WRITE_PREFIX : "");
    }

    boolean isWriteOperation() {
        return writeOperation;
    }

    /** {@link #verifyAllUsed()} with the {@code 1 validation error detected: } prefix AWS gives PutItem/UpdateItem/DeleteItem. */
    public void verifyAllUsedInWrite() {
        verify(WRITE_PREFIX);
    }

    private void verify(String prefix) {
        Set<String> unusedNames = new TreeSet<>(names.keySet());
        unusedNames.removeAll(usedNames);
        if (!unusedNames.isEmpty()) {
            throw new DynamoDbValidationException(prefix + "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                    + String.join(", ", unusedNames) + "}");
        }
        Set<String> unusedValues = new TreeSet<>(values.keySet());
        unusedValues.removeAll(usedValues);
        if (!unusedValues.isEmpty()) {
            throw new DynamoDbValidationException(prefix + "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                    + String.join(", ", unusedValues) + "}");
        }
    }

    /** The attribute name {@code #alias} stands for, marking it used; null when undefined. */
    String name(String alias) {
        String name = names.get(alias);
        if (name != null) {
            usedNames.add(alias);
        }
        return name;
    }

    /** The value {@code :v} stands for, marking it used; null when undefined. */
    AttributeValue value(String placeholder) {
        AttributeValue value = values.get(placeholder);
        if (value != null) {
            usedValues.add(placeholder);
        }
        return value;
    }
}
