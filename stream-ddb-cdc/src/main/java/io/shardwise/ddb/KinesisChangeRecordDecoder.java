package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.internal.Redaction;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.ddb.internal.ChangeMapper;
import io.shardwise.ddb.internal.DynamoDbJson;
import io.shardwise.ddb.internal.RawChange;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes the records that <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html">
 * Kinesis Data Streams for DynamoDB</a> writes into a Kinesis stream into the same {@link ChangeRecord}s that
 * {@link DynamoDbStreamHandler} produces, for use as the payload decoder of a Kinesis handler (or of
 * {@link io.shardwise.core.BatchProcessor} directly):
 *
 * <pre>{@code
 * RecordDecoder<ByteBuffer, ChangeRecord<Order>> decoder = KinesisChangeRecordDecoder.of(TableSchema.fromBean(Order.class));
 * }</pre>
 *
 * <h2>The format</h2>
 * One JSON object per Kinesis record: {@code awsRegion}, {@code eventID}, {@code eventName},
 * {@code userIdentity}, {@code recordFormat} ({@code application/json}), {@code tableName},
 * {@code eventSource} ({@code aws:dynamodb}) and a {@code dynamodb} block with {@code Keys}, {@code NewImage},
 * {@code OldImage}, {@code SizeBytes} and {@code ApproximateCreationDateTime}, whose unit is set by
 * {@code ApproximateCreationDateTimePrecision}: {@code MILLISECOND}, or {@code MICROSECOND} (the table's
 * destination setting). Records from before that field existed are in milliseconds; without the field a value
 * of 10<sup>14</sup> or more is read as microseconds (as milliseconds it would be after the year 5000).
 * Both images are always carried, so every record has view type {@code NEW_AND_OLD_IMAGES}. The record carries
 * no DynamoDB sequence number: {@link ChangeRecord#sequenceNumber()} is the Kinesis record's.
 *
 * <h2>Duplicates and order</h2>
 * This path, unlike DynamoDB Streams, can deliver a change more than once and changes of one item out of order.
 * Deduplicate on the DynamoDB {@code eventID}, which every copy of a change shares (the Kinesis position differs
 * between copies), by overriding {@code dedupKey} in the processor:
 * <pre>{@code
 * public String dedupKey(StreamRecord<ChangeRecord<Order>> record) { return record.payload().eventId(); }
 * }</pre>
 * and drop changes older than what was already applied with {@link StaleChangeFilter}.
 *
 * <p>Errors: malformed JSON, a record that is not a DynamoDB change ({@code eventSource} other than
 * {@code aws:dynamodb}, a {@code recordFormat} other than JSON), invalid attribute values, or images that do not
 * fit {@code T} are thrown as {@link NonRetryableException} naming the Kinesis record; the engine parks the record
 * with its bytes. Thread-safe and stateless: one instance serves any number of threads.
 *
 * @param <T> the item type
 */
public final class KinesisChangeRecordDecoder<T> implements RecordDecoder<ByteBuffer, ChangeRecord<T>> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigDecimal MICROS_THRESHOLD = BigDecimal.TEN.pow(14);

    private final ChangeMapper<T> mapper;

    private KinesisChangeRecordDecoder(TableSchema<T> tableSchema) {
        this.mapper = new ChangeMapper<>(tableSchema);
    }

    /** A decoder mapping images through {@code tableSchema}. */
    public static <T> KinesisChangeRecordDecoder<T> of(TableSchema<T> tableSchema) {
        return new KinesisChangeRecordDecoder<>(Objects.requireNonNull(tableSchema, "tableSchema"));
    }

    /**
     * Decodes the record's bytes (its payload buffer, or {@link StreamRecord#data()} when the payload is null).
     *
     * @throws NonRetryableException if the bytes are not a valid Kinesis Data Streams for DynamoDB record
     */
    @Override
    public ChangeRecord<T> decode(StreamRecord<ByteBuffer> raw) {
        ByteBuffer buffer = raw.payload() != null ? raw.payload().duplicate() : raw.data();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return decode(bytes, raw.sequenceNumber());
    }

    /**
     * Decodes one record's JSON, outside the engine (a KCL application, a test).
     *
     * @param json           the Kinesis record's data
     * @param sequenceNumber the Kinesis record's sequence number, reported as {@link ChangeRecord#sequenceNumber()}
     * @throws NonRetryableException if the bytes are not a valid Kinesis Data Streams for DynamoDB record
     */
    public ChangeRecord<T> decode(byte[] json, String sequenceNumber) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        String where = "Kinesis record " + sequenceNumber;
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new NonRetryableException(where + " is not JSON, so not a Kinesis Data Streams for DynamoDB record: "
                    + Redaction.quotedValues(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new NonRetryableException(where + " could not be read: " + e.getClass().getName() + ": "
                    + Redaction.quotedValues(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new NonRetryableException(where + " is not a JSON object, so not a Kinesis Data Streams for "
                    + "DynamoDB record");
        }
        String eventSource = text(root, "eventSource");
        if (eventSource != null && !eventSource.equals("aws:dynamodb")) {
            throw new NonRetryableException(where + " has eventSource '" + eventSource + "', not 'aws:dynamodb': this "
                    + "stream carries something other than DynamoDB changes. Use KinesisChangeRecordDecoder only for "
                    + "a table's Kinesis streaming destination.");
        }
        String format = text(root, "recordFormat");
        if (format != null && !format.equals("application/json")) {
            throw new NonRetryableException(where + " has recordFormat '" + format + "'; only application/json is "
                    + "supported");
        }
        JsonNode dynamodb = root.get("dynamodb");
        if (dynamodb == null || !dynamodb.isObject()) {
            throw new NonRetryableException(where + " has no 'dynamodb' object: not a Kinesis Data Streams for DynamoDB "
                    + "record");
        }
        String eventId = text(root, "eventID");
        JsonNode identity = root.get("userIdentity");
        Map<String, AttributeValue> keys;
        Map<String, AttributeValue> newImage;
        Map<String, AttributeValue> oldImage;
        try {
            keys = DynamoDbJson.readAttributes(dynamodb.get("Keys"), "Keys");
            newImage = DynamoDbJson.readAttributes(dynamodb.get("NewImage"), "NewImage");
            oldImage = DynamoDbJson.readAttributes(dynamodb.get("OldImage"), "OldImage");
        } catch (NonRetryableException e) {
            throw new NonRetryableException(where + " (eventID " + eventId + "): " + e.getMessage(), e);
        }
        RawChange change = new RawChange(text(root, "eventName"), eventId, text(root, "tableName"),
                text(root, "awsRegion"), keys, newImage, oldImage, null, creationTime(root, dynamodb, where),
                sequenceNumber, sizeBytes(dynamodb),
                identity == null || !identity.isObject() ? null : text(identity, "type"),
                identity == null || !identity.isObject() ? null : text(identity, "principalId"));
        return mapper.map(change, StreamViewType.NEW_AND_OLD_IMAGES);
    }

    private static Instant creationTime(JsonNode root, JsonNode dynamodb, String where) {
        JsonNode value = dynamodb.get("ApproximateCreationDateTime");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new NonRetryableException(where + ": ApproximateCreationDateTime must be a number (epoch "
                    + "milliseconds or microseconds), is " + value.getNodeType());
        }
        String precision = text(dynamodb, "ApproximateCreationDateTimePrecision");
        if (precision == null) {
            precision = text(root, "ApproximateCreationDateTimePrecision");
        }
        BigDecimal number = value.decimalValue();
        int digitsBelowSecond;
        if (precision == null) {
            digitsBelowSecond = number.abs().compareTo(MICROS_THRESHOLD) >= 0 ? 6 : 3;
        } else if (precision.equals("MILLISECOND")) {
            digitsBelowSecond = 3;
        } else if (precision.equals("MICROSECOND")) {
            digitsBelowSecond = 6;
        } else {
            throw new NonRetryableException(where + ": ApproximateCreationDateTimePrecision is '" + precision
                    + "'; expected MILLISECOND or MICROSECOND");
        }
        BigDecimal seconds = number.movePointLeft(digitsBelowSecond);
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.FLOOR).longValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }

    private static Long sizeBytes(JsonNode dynamodb) {
        JsonNode size = dynamodb.get("SizeBytes");
        return size != null && size.canConvertToLong() ? size.longValue() : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
