package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.CallDeadlineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a record's staged {@code GUARDED} write: the user's {@code PutItem}/{@code UpdateItem} plus
 * {@code SET <guard attribute> = <position#token>}, conditioned on
 * {@code attribute_not_exists(<guard>) OR <guard> < <position>} (and on the user's own condition, if any), with
 * {@code ReturnValuesOnConditionCheckFailure=ALL_OLD} so that a failed condition says why without a read:
 * <ul>
 *   <li>the item holds this attempt's own value: the write was applied and its response lost, and the SDK's retry
 *       found it ({@link Written#APPLIED});</li>
 *   <li>the item holds this position or a later one of the same scope: {@link Written#DUPLICATE};</li>
 *   <li>else the user's condition failed: a retryable record failure, the
 *       {@link ConditionalCheckFailedException} as cause (a classifier may make it non-retryable).</li>
 * </ul>
 * A write DynamoDB refuses as invalid is the record's non-retryable failure; any other failure (throttled past the
 * SDK's retries, the table unreachable) is thrown as {@link StreamProcessingException} and fails the batch, as a
 * dedup-store failure does: whether it applied is unknown, and the redelivery's guard tells. Each request is
 * bounded by the invocation's time left ({@link CallDeadlineException} when cut short).
 *
 * <p>Thread-safe (the key-schema cache is concurrent; the client is the caller's).
 */
final class GuardedWriter {
    private static final Logger RECORD_LOG = LoggerFactory.getLogger("io.shardwise.record");
    /** The placeholders the guard adds: refused in user writes, so they cannot clash. */
    static final String NAME = "#_swg";
    static final String POSITION = ":_swp";
    static final String VALUE = ":_swv";
    private static final String GUARD = "(attribute_not_exists(" + NAME + ") OR " + NAME + " < " + POSITION + ")";
    /** The SET keyword of an update expression: not part of a #name, :value or longer word. */
    private static final Pattern SET_CLAUSE = Pattern.compile("(?i)(?<![#:\\w])SET(?![\\w])");

    /** What happened to a write whose request completed. */
    enum Written { APPLIED, DUPLICATE }

    private final DynamoDbClient client;
    private final String consumerName;
    private final Supplier<Duration> timeLeft;
    private final Map<String, List<String>> keyAttributes;

    /**
     * @param timeLeft how long one request may take (SDK retries included), or null for the client's own settings
     * @param keyAttributes a cache of tables' key attribute names, shared across batches
     */
    GuardedWriter(DynamoDbClient client, String consumerName, Supplier<Duration> timeLeft,
                  Map<String, List<String>> keyAttributes) {
        this.client = Objects.requireNonNull(client, "client");
        this.consumerName = consumerName;
        this.timeLeft = timeLeft;
        this.keyAttributes = keyAttributes;
    }

    static Map<String, List<String>> newKeyCache() {
        return new ConcurrentHashMap<>();
    }

    Written write(StreamRecord<?> record, GuardedStaging staged) {
        String attribute = GuardPosition.attribute(consumerName, record);
        String position = GuardPosition.position(record);
        String value = GuardPosition.value(position, token());
        try {
            if (staged.put() != null) {
                return put(record, staged.put(), attribute, position, value);
            }
            return update(record, staged.update(), attribute, position, value);
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = e.hasItem() ? e.item() : null;
            AttributeValue stored = item == null ? null : item.get(attribute);
            String storedValue = stored == null ? null : stored.s();
            if (value.equals(storedValue)) {
                return Written.APPLIED; // this attempt's own write: applied, its response lost, retried by the SDK
            }
            if (GuardPosition.reached(storedValue, position)) {
                return Written.DUPLICATE;
            }
            throw new StreamProcessingException("The condition of the guarded write of " + record.describe()
                    + " (on table '" + table(staged) + "') failed: " + e.getMessage() + ". Nothing was written; the "
                    + "record is retried by default (the processor runs again); to park such records at once, "
                    + "classify ConditionalCheckFailedException as non-retryable.", e);
        }
    }

    private Written put(StreamRecord<?> record, Put put, String attribute, String position, String value) {
        refuseReserved(record, put.item() == null ? null : put.item().keySet(), put.expressionAttributeNames(),
                put.expressionAttributeValues(), put.conditionExpression());
        Map<String, AttributeValue> item = new HashMap<>(put.item() == null ? Map.of() : put.item());
        item.put(attribute, AttributeValue.fromS(value));
        Map<String, String> names = with(put.expressionAttributeNames(), NAME, attribute);
        Map<String, AttributeValue> values = with(put.expressionAttributeValues(), POSITION,
                AttributeValue.fromS(position));
        PutItemResponse response = call(record, () -> client.putItem(r -> r.overrideConfiguration(o -> bound(o))
                .tableName(put.tableName()).item(item).conditionExpression(condition(put.conditionExpression()))
                .expressionAttributeNames(names).expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_OLD)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        restoreOtherGuards(record, put, response.attributes(), attribute);
        return Written.APPLIED;
    }

    private Written update(StreamRecord<?> record, Update update, String attribute, String position, String value) {
        refuseReserved(record, null, update.expressionAttributeNames(), update.expressionAttributeValues(),
                (update.conditionExpression() == null ? "" : update.conditionExpression()) + " "
                        + (update.updateExpression() == null ? "" : update.updateExpression()));
        Map<String, String> names = with(update.expressionAttributeNames(), NAME, attribute);
        Map<String, AttributeValue> values = with(update.expressionAttributeValues(), POSITION,
                AttributeValue.fromS(position));
        values.put(VALUE, AttributeValue.fromS(value));
        String expression = withGuardSet(update.updateExpression());
        call(record, () -> client.updateItem(r -> r.overrideConfiguration(o -> bound(o))
                .tableName(update.tableName()).key(update.key()).updateExpression(expression)
                .conditionExpression(condition(update.conditionExpression()))
                .expressionAttributeNames(names).expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        return Written.APPLIED;
    }

    /**
     * A Put replaced the item, and with it the guards other scopes (other partition keys, shards or consumers)
     * kept on it: put them back at once, each only if not written again meanwhile ({@code if_not_exists}), and
     * only while the item exists. Exactly-once holds for those scopes except for a redelivery of theirs that lands
     * between the Put and this update (milliseconds): such items should be written with Update, which the warning
     * says. One extra request, only on items that had other scopes' guards.
     */
    private void restoreOtherGuards(StreamRecord<?> record, Put put, Map<String, AttributeValue> old,
                                    String attribute) {
        if (old == null) {
            return;
        }
        Map<String, AttributeValue> others = new LinkedHashMap<>();
        old.forEach((name, v) -> {
            if (name.startsWith(GuardPosition.ATTRIBUTE_PREFIX + ":") && !name.equals(attribute)) {
                others.put(name, v);
            }
        });
        if (others.isEmpty()) {
            return;
        }
        List<String> keyNames = keyAttributes.computeIfAbsent(put.tableName(), t -> call(record,
                () -> client.describeTable(r -> r.tableName(t)).table().keySchema().stream()
                        .map(KeySchemaElement::attributeName).toList()));
        Map<String, AttributeValue> key = new HashMap<>();
        for (String k : keyNames) {
            key.put(k, put.item().get(k));
        }
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder("SET ");
        int i = 0;
        for (Map.Entry<String, AttributeValue> e : others.entrySet()) {
            names.put("#g" + i, e.getKey());
            values.put(":g" + i, e.getValue());
            set.append(i == 0 ? "" : ", ").append("#g").append(i).append(" = if_not_exists(#g").append(i)
                    .append(", :g").append(i).append(')');
            i++;
        }
        names.put("#k", keyNames.get(0));
        try {
            call(record, () -> client.updateItem(r -> r.overrideConfiguration(o -> bound(o))
                    .tableName(put.tableName()).key(key).updateExpression(set.toString())
                    .conditionExpression("attribute_exists(#k)").expressionAttributeNames(names)
                    .expressionAttributeValues(values)));
        } catch (ConditionalCheckFailedException deletedSince) {
            // Deleted by someone else since: its guards went with it, as any delete takes them.
        }
        RECORD_LOG.warn("{\"event\":\"guarded_put_shared_item\",\"consumer\":\"{}\",\"record\":\"{}\",\"detail\":"
                + "\"a guarded Put on table '{}' replaced an item that also held the guards of {} other partition "
                + "key(s), shard(s) or consumer(s); they were put back right after. Write items shared by several "
                + "partition keys with Update, which keeps them atomically.\"}", consumerName, record.describe(),
                put.tableName(), others.size());
    }

    private static String condition(String user) {
        return user == null || user.isBlank() ? GUARD : "(" + user + ") AND " + GUARD;
    }

    /** The user's update expression with the guard's assignment added to its SET clause (or a SET clause added). */
    static String withGuardSet(String expression) {
        String assignment = NAME + " = " + VALUE;
        if (expression == null || expression.isBlank()) {
            return "SET " + assignment;
        }
        Matcher m = SET_CLAUSE.matcher(expression);
        if (m.find()) {
            return expression.substring(0, m.end()) + " " + assignment + "," + expression.substring(m.end());
        }
        return expression + " SET " + assignment;
    }

    private static void refuseReserved(StreamRecord<?> record, java.util.Collection<String> attributes,
                                       Map<String, String> names, Map<String, AttributeValue> values,
                                       String expressions) {
        boolean reserved = (attributes != null && attributes.stream().anyMatch(GuardedWriter::isGuardName))
                || (names != null && (names.keySet().stream().anyMatch(n -> n.startsWith("#_sw"))
                || names.values().stream().anyMatch(GuardedWriter::isGuardName)))
                || (values != null && values.keySet().stream().anyMatch(v -> v.startsWith(":_sw")))
                || (expressions != null && expressions.contains(GuardPosition.ATTRIBUTE_PREFIX));
        if (reserved) {
            throw new NonRetryableException("The guarded write of " + record.describe() + " uses an attribute name "
                    + "starting with '" + GuardPosition.ATTRIBUTE_PREFIX + "' or a placeholder starting with '#_sw' "
                    + "or ':_sw': those are the GUARDED mode's own. Nothing was written; rename them.");
        }
    }

    private static boolean isGuardName(String name) {
        return name.startsWith(GuardPosition.ATTRIBUTE_PREFIX);
    }

    private static <V> Map<String, V> with(Map<String, V> user, String key, V value) {
        Map<String, V> out = new HashMap<>(user == null ? Map.of() : user);
        out.put(key, value);
        return out;
    }

    private void bound(software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration.Builder o) {
        if (timeLeft != null) {
            o.apiCallTimeout(timeLeft.get());
        }
    }

    /** Runs one request: deadline and infrastructure failures as the engine needs them. */
    private <X> X call(StreamRecord<?> record, Supplier<X> request) {
        if (timeLeft != null && (timeLeft.get().isNegative() || timeLeft.get().isZero())) {
            throw new CallDeadlineException("No time left to send the guarded write of " + record.describe(), null);
        }
        try {
            return request.get();
        } catch (ConditionalCheckFailedException e) {
            throw e;
        } catch (ApiCallTimeoutException e) {
            throw new CallDeadlineException("The guarded write of " + record.describe() + " did not finish in the "
                    + "invocation's time left; whether it applied is unknown (the redelivery's guard tells)", e);
        } catch (DynamoDbException e) {
            if ("ValidationException".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())) {
                throw new NonRetryableException("DynamoDB refused the guarded write of " + record.describe() + ": "
                        + e.getMessage() + ". Nothing was written; retrying cannot fix this: fix the write the "
                        + "processor stages.", e);
            }
            throw infrastructure(record, e);
        } catch (SdkException e) {
            throw infrastructure(record, e);
        }
    }

    private StreamProcessingException infrastructure(StreamRecord<?> record, SdkException e) {
        return new StreamProcessingException("The guarded write of " + record.describe() + " failed for consumer "
                + consumerName + ": " + e + ". Whether it applied is unknown: the whole batch fails so that Lambda "
                + "retries it, and the item's guard skips what did apply. Check the table's capacity and the "
                + "function's access to it.", e);
    }

    private static String table(GuardedStaging staged) {
        return staged.put() != null ? staged.put().tableName() : staged.update().tableName();
    }

    /** 48 random bits: tells this attempt's write from every other delivery's of the same record. */
    private static String token() {
        long bits = ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL;
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.nio.ByteBuffer.allocate(8).putLong(bits).array()).substring(3);
    }
}
