package io.shardwise.core.internal.priming;

import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.FailureSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.util.Map;

/**
 * Warms the SDK code the configured dedup store and failure sink use — request marshalling, signing, endpoint
 * resolution, retries, response unmarshalling — by sending their kinds of request through throw-away clients of the
 * same services whose HTTP client answers in the JVM ({@link InJvmHttpClient}): nothing reaches a real table or
 * queue, and no credentials are looked up (the clients sign with fixed dummy keys). The user's own client objects
 * are not touched; what they share with these clients (the classes, their static state, the JIT's work) is what
 * priming buys. Every failure here is swallowed and logged at debug: priming is best effort and never fails init.
 */
public final class SdkWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(SdkWarmup.class);
    private static final StaticCredentialsProvider DUMMY =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("shardwise-priming", "shardwise-priming"));
    private static final String TABLE = "shardwise-priming";

    private SdkWarmup() {
    }

    /**
     * Warms the clients of {@code config}'s dedup store (if a {@link DynamoDbDedupStore}) and failure sink (if an
     * SQS, S3 or Kinesis one).
     *
     * @return requests answered in the JVM (0 when the config uses no SDK client)
     */
    public static int warm(ProcessingConfig config) {
        InJvmHttpClient http = new InJvmHttpClient();
        Region region = region();
        if (config.dedupStore().filter(DynamoDbDedupStore.class::isInstance).isPresent()) {
            run("DynamoDB", () -> dynamoDb(http, region));
        }
        String sink = config.failureSink().map(FailureSink::getClass).map(Class::getName).orElse("");
        // By name: the sink's SDK is an optional dependency, so its classes are loaded only when it is in use.
        switch (sink) {
            case "io.shardwise.core.sink.SqsFailureSink" -> run("SQS", () -> Sqs.warm(http, region));
            case "io.shardwise.core.sink.S3FailureSink" -> run("S3", () -> S3.warm(http, region));
            case "io.shardwise.core.sink.KinesisFailureSink" -> run("Kinesis", () -> Kinesis.warm(http, region));
            default -> { }
        }
        return http.requests();
    }

    /**
     * A DynamoDB client whose requests are answered in the JVM (an empty 200), for what priming must send nowhere:
     * GUARDED mode's record writes, which the engine sends itself. The caller closes it.
     */
    public static DynamoDbClient throwAwayDynamoDb() {
        return DynamoDbClient.builder().httpClient(new InJvmHttpClient()).region(region()).credentialsProvider(DUMMY)
                .build();
    }

    /** The function's region (Lambda sets {@code AWS_REGION}); any region does for warming. */
    private static Region region() {
        String name = System.getenv("AWS_REGION");
        return name == null || name.isBlank() ? Region.US_EAST_1 : Region.of(name);
    }

    private static void run(String service, Runnable warm) {
        try {
            warm.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("Priming the {} client stopped early (harmless): {}", service, e.toString());
        }
    }

    /** The dedup store's kinds of request: batched reads, conditional updates and puts, transactions. */
    private static void dynamoDb(InJvmHttpClient http, Region region) {
        try (DynamoDbClient client = DynamoDbClient.builder().httpClient(http).region(region)
                .credentialsProvider(DUMMY).build()) {
            Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("shardwise-priming#0"));
            Map<String, String> names = Map.of("#status", "status", "#expiration", "expiration");
            Map<String, AttributeValue> values = Map.of(":status", AttributeValue.fromS("COMPLETED"),
                    ":now", AttributeValue.fromN("0"), ":one", AttributeValue.fromN("1"));
            client.batchGetItem(b -> b.requestItems(Map.of(TABLE, KeysAndAttributes.builder()
                    .keys(key).consistentRead(true).projectionExpression("id, #status")
                    .expressionAttributeNames(Map.of("#status", "status")).build())));
            client.updateItem(b -> b.tableName(TABLE).key(key)
                    .updateExpression("SET #status = :status ADD attempts :one")
                    .conditionExpression("attribute_not_exists(id) OR #expiration < :now")
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            client.putItem(b -> b.tableName(TABLE).item(key).conditionExpression("attribute_not_exists(id)"));
            client.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().update(u -> u.tableName(TABLE).key(key)
                            .updateExpression("SET #status = :status")
                            .conditionExpression("#expiration < :now OR attribute_not_exists(id)")
                            .expressionAttributeNames(names).expressionAttributeValues(values)).build(),
                    TransactWriteItem.builder().put(p -> p.tableName(TABLE).item(key)).build()));
        }
    }

    /** {@code SqsFailureSink}'s request. */
    private static final class Sqs {
        static void warm(InJvmHttpClient http, Region region) {
            try (var client = software.amazon.awssdk.services.sqs.SqsClient.builder().httpClient(http)
                    .region(region).credentialsProvider(DUMMY)
                    // The in-JVM answer carries no MD5 of the message to check.
                    .checksumValidationEnabled(false).build()) {
                client.sendMessage(b -> b.queueUrl("https://sqs." + region.id() + ".amazonaws.com/000000000000/"
                                + TABLE).messageBody("{}")
                        .messageAttributes(Map.of("shardwise.shardId",
                                software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                                        .dataType("String").stringValue("shardId-000000000000").build())));
            }
        }
    }

    /** {@code S3FailureSink}'s request. */
    private static final class S3 {
        static void warm(InJvmHttpClient http, Region region) {
            try (var client = software.amazon.awssdk.services.s3.S3Client.builder().httpClient(http).region(region)
                    .credentialsProvider(DUMMY).build()) {
                client.putObject(b -> b.bucket(TABLE).key("priming.json").contentType("application/json"),
                        RequestBody.fromString("{}"));
            }
        }
    }

    /** {@code KinesisFailureSink}'s request. */
    private static final class Kinesis {
        static void warm(InJvmHttpClient http, Region region) {
            try (var client = software.amazon.awssdk.services.kinesis.KinesisClient.builder().httpClient(http)
                    .region(region).credentialsProvider(DUMMY).build()) {
                client.putRecord(b -> b.streamName(TABLE).partitionKey("priming")
                        .data(SdkBytes.fromUtf8String("{}")));
            }
        }
    }
}
