package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;

/**
 * Baseline: per-record idempotency as Powertools for AWS Lambda (Java) does it with its batch utility and
 * functional idempotency ({@code makeIdempotent} per record, DynamoDB persistence store), written from its
 * documented behaviour because the Powertools artifacts do not resolve from this build's registry. Per record,
 * sequentially:
 * <ol>
 *   <li>decode the record with Jackson;</li>
 *   <li>{@code PutItem} of an {@code INPROGRESS} record, conditional on
 *       {@code attribute_not_exists(#id) OR #expiry < :now OR (attribute_exists(#in_progress_expiry) AND
 *       #in_progress_expiry < :now_in_millis AND #status = :inprogress)}, with
 *       {@code ReturnValuesOnConditionCheckFailure=ALL_OLD} (v2's way of learning the existing record without a
 *       {@code GetItem});</li>
 *   <li>on a failed condition: an existing {@code COMPLETED} record means a duplicate (the stored response is
 *       returned, the function does not run); {@code INPROGRESS} fails the record;</li>
 *   <li>otherwise the user's function (here one {@code UpdateItem}), then a completion {@code UpdateItem}
 *       ({@code SET #response_data = :response_data, #expiry = :expiry, #status = :status}); if the function
 *       throws, {@code DeleteItem} of the record.</li>
 * </ol>
 * The key is {@code <function>.process#md5(<eventId as JSON>)} (an {@code eventKeyJMESPath} of {@code eventId}),
 * items expire after one hour (Powertools' default). Failures are reported per record, as Powertools' Kinesis batch
 * handler does.
 *
 * @see <a href="https://docs.powertools.aws.dev/lambda/java/utilities/idempotency/">Powertools: idempotency</a>
 */
public final class PerRecordIdempotencyBaseline implements Contender {
    private static final long EXPIRY_SECONDS = 3_600;

    private final DynamoDbClient client;
    private final String table;
    private final String functionName;
    private final Effects effects;
    private final Clock clock = Clock.systemUTC();

    public PerRecordIdempotencyBaseline(DynamoDbClient client, String table, String functionName, Effects effects) {
        this.client = client;
        this.table = table;
        this.functionName = functionName;
        this.effects = effects;
    }

    @Override
    public RunOutcome handle(KinesisEvent event, Context context) {
        int processed = 0;
        int skipped = 0;
        int failed = 0;
        for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
            try {
                Order order = HandWrittenLoop.decode(r.getKinesis().getData());
                if (idempotent(order, context)) {
                    processed++;
                } else {
                    skipped++;
                }
            } catch (Exception e) {
                failed++;
            }
        }
        return new RunOutcome(processed, skipped, failed);
    }

    /** @return true if the function ran, false for a duplicate */
    private boolean idempotent(Order order, Context context) throws Exception {
        String id = functionName + ".process#" + md5Hex("\"" + order.eventId() + "\"");
        long nowMillis = clock.millis();
        long nowSeconds = nowMillis / 1000;
        long remaining = context == null ? 900_000 : context.getRemainingTimeInMillis();
        try {
            client.putItem(p -> p.tableName(table)
                    .item(Map.of(
                            "id", AttributeValue.fromS(id),
                            "expiration", AttributeValue.fromN(Long.toString(nowSeconds + EXPIRY_SECONDS)),
                            "status", AttributeValue.fromS("INPROGRESS"),
                            "in_progress_expiration", AttributeValue.fromN(Long.toString(nowMillis + remaining))))
                    .conditionExpression("attribute_not_exists(#id) OR #expiry < :now OR "
                            + "(attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis "
                            + "AND #status = :inprogress)")
                    .expressionAttributeNames(Map.of("#id", "id", "#expiry", "expiration",
                            "#in_progress_expiry", "in_progress_expiration", "#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":now", AttributeValue.fromN(Long.toString(nowSeconds)),
                            ":now_in_millis", AttributeValue.fromN(Long.toString(nowMillis)),
                            ":inprogress", AttributeValue.fromS("INPROGRESS")))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = e.item();
            String status = existing == null || existing.get("status") == null ? null : existing.get("status").s();
            if ("COMPLETED".equals(status)) {
                return false; // Powertools returns the stored response; the function does not run.
            }
            throw new IllegalStateException("Execution already in progress with idempotency key " + id, e);
        }
        try {
            effects.apply(order);
        } catch (Exception e) {
            client.deleteItem(d -> d.tableName(table).key(Map.of("id", AttributeValue.fromS(id))));
            throw e;
        }
        client.updateItem(u -> u.tableName(table)
                .key(Map.of("id", AttributeValue.fromS(id)))
                .updateExpression("SET #response_data = :response_data, #expiry = :expiry, #status = :status")
                .expressionAttributeNames(Map.of("#response_data", "data", "#expiry", "expiration",
                        "#status", "status"))
                .expressionAttributeValues(Map.of(
                        ":response_data", AttributeValue.fromS("\"ok\""),
                        ":expiry", AttributeValue.fromN(Long.toString(clock.millis() / 1000 + EXPIRY_SECONDS)),
                        ":status", AttributeValue.fromS("COMPLETED"))));
        return true;
    }

    private static String md5Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }
}
