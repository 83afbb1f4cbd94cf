package io.shardwise.examples.runtime;

import io.shardwise.examples.ordertotals.OrderTotalsHandler;
import io.shardwise.examples.ordertotals.OrderTotalsProcessor;
import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order-totals function under the real Lambda Java runtime client ({@code aws-lambda-java-runtime-interface-client},
 * the code the managed Java runtime runs), in a child JVM whose {@code AWS_LAMBDA_RUNTIME_API} points at a Runtime
 * API stub on 127.0.0.1, with DynamoDB and SQS served by the local emulators. Run twice: as deployed, and primed at
 * the end of init ({@link PrimedOrderTotalsHandler}, standing in for SnapStart's priming before the snapshot).
 *
 * <p>Asserts that every invocation succeeded and that the totals are right; prints init, first and warm
 * invocation times as a report line. Timings are reported, not asserted: they depend on the machine and its load.
 */
class RuntimeInterfaceClientIT {
    private static final int WARM_INVOCATIONS = 5;
    private static final int RECORDS_PER_EVENT = 5;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

    private static EmbeddedDynamoDb dynamoDb;
    private static SQSRestServer elasticMq;
    private static URI sqsEndpoint;
    private static SqsClient sqs;

    /** What one run of the function measured. */
    record Run(String label, Duration init, Duration first, List<Duration> warm) {
        Duration warmMedian() {
            List<Duration> sorted = warm.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }

        String report() {
            return String.format("RuntimeInterfaceClientIT %-8s init %5d ms, first invocation %5d ms, warm median "
                            + "%4d ms (of %d: %s), first/warm %.1fx", label, init.toMillis(), first.toMillis(),
                    warmMedian().toMillis(), warm.size(), warm.stream().map(Duration::toMillis).toList(),
                    (double) first.toNanos() / Math.max(1, warmMedian().toNanos()));
        }
    }

    @BeforeAll
    static void startEmulators() {
        dynamoDb = LocalEmulators.dynamoDb();
        elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        sqsEndpoint = URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort());
        sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials()).build();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
        elasticMq.stopAndWait();
    }

    @Test
    void theOrderTotalsFunctionRunsUnderTheRuntimeClientAndPrimingShortensItsFirstInvocation() throws Exception {
        Run plain = run("plain", OrderTotalsHandler.class.getName());
        Run primed = run("primed", PrimedOrderTotalsHandler.class.getName());

        System.out.println(plain.report());
        System.out.println(primed.report());
    }

    private Run run(String label, String handlerClass) throws Exception {
        String totals = "totals-" + label;
        String dedup = "dedup-" + label;
        createTables(dynamoDb.client(), totals, dedup);
        String queueUrl = sqs.createQueue(b -> b.queueName("parking-" + label)).queueUrl();
        String customer = "c-" + label;
        try (RuntimeApiStub stub = new RuntimeApiStub()) {
            for (int i = 0; i <= WARM_INVOCATIONS; i++) {
                stub.enqueue(kinesisEvent(customer, i));
            }
            Path log = Path.of("target", "runtime-interface-client-" + label + ".log");
            long start = System.nanoTime();
            Process child = childJvm(handlerClass, stub.address(), totals, dedup, queueUrl, log).start();
            try {
                List<RuntimeApiStub.Invocation> answered = new ArrayList<>();
                for (int i = 0; i <= WARM_INVOCATIONS; i++) {
                    RuntimeApiStub.Invocation invocation = stub.awaitAnswer(ANSWER_TIMEOUT);
                    assertThat(invocation).as("invocation %d of the %s run answered (child log: %s)%s", i, label,
                            log, stub.initErrors().isEmpty() ? "" : "; init error: " + stub.initErrors()).isNotNull();
                    assertThat(invocation.error()).as("invocation %d of the %s run failed: %s", i, label,
                            invocation.body()).isFalse();
                    assertThat(invocation.body()).as("every record done").contains("\"batchItemFailures\":[]");
                    answered.add(invocation);
                }
                assertThat(stub.initErrors()).isEmpty();
                Map<String, AttributeValue> total = dynamoDb.client().getItem(b -> b.tableName(totals).key(Map.of(
                        OrderTotalsProcessor.CUSTOMER_ID, AttributeValue.fromS(customer),
                        OrderTotalsProcessor.CURRENCY, AttributeValue.fromS("EUR")))).item();
                int orders = (WARM_INVOCATIONS + 1) * RECORDS_PER_EVENT;
                assertThat(total.get(OrderTotalsProcessor.ORDER_COUNT).n()).isEqualTo(Integer.toString(orders));
                assertThat(total.get(OrderTotalsProcessor.TOTAL).n()).isEqualTo(Integer.toString(orders));
                return new Run(label, Duration.ofNanos(stub.firstNextNanos() - start), answered.get(0).duration(),
                        answered.subList(1, answered.size()).stream().map(RuntimeApiStub.Invocation::duration)
                                .toList());
            } finally {
                child.destroy();
                child.waitFor();
            }
        }
    }

    /**
     * The runtime client's own entry point, {@code AWSLambda handler}, with the Lambda environment it reads and the
     * SDK pointed at the emulators ({@code AWS_ENDPOINT_URL_DYNAMODB}, {@code AWS_ENDPOINT_URL_SQS}). JVM flags as
     * Lambda's Java runtimes set them by default (C1 only, serial GC).
     */
    private static ProcessBuilder childJvm(String handlerClass, String runtimeApi, String totals, String dedup,
                                           String queueUrl, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path taskRoot = Files.createTempDirectory("lambda-task");
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handlerClass + "::handleRequest");
        Map<String, String> env = pb.environment();
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("_HANDLER", handlerClass + "::handleRequest");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "order-totals");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/order-totals");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
        env.put("AWS_REGION", LocalAwsClients.REGION.id());
        env.put("AWS_ACCESS_KEY_ID", LocalAwsClients.DUMMY_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAwsClients.DUMMY_KEY);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString());
        env.put(OrderTotalsHandler.ENV_TOTALS_TABLE, totals);
        env.put(OrderTotalsHandler.ENV_DEDUP_TABLE, dedup);
        env.put(OrderTotalsHandler.ENV_PARKING_QUEUE_URL, queueUrl);
        return pb.redirectErrorStream(true).redirectOutput(log.toFile());
    }

    @SuppressWarnings("unchecked") // the SDK's varargs of builder consumers
    private static void createTables(DynamoDbClient client, String totals, String dedup) {
        client.createTable(b -> b.tableName(totals).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        a -> a.attributeName(OrderTotalsProcessor.CUSTOMER_ID).attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(OrderTotalsProcessor.CURRENCY).attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName(OrderTotalsProcessor.CUSTOMER_ID).keyType(KeyType.HASH),
                        k -> k.attributeName(OrderTotalsProcessor.CURRENCY).keyType(KeyType.RANGE)));
        client.createTable(b -> b.tableName(dedup).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
        client.updateTimeToLive(b -> b.tableName(dedup)
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
    }

    /** Event {@code n}: {@value #RECORDS_PER_EVENT} orders of amount 1 for {@code customer}, as Lambda sends them. */
    private static String kinesisEvent(String customer, int n) {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < RECORDS_PER_EVENT; i++) {
            int k = n * RECORDS_PER_EVENT + i;
            String sequence = "4959033827149025660855969253836157109592157598913" + String.format("%07d", k);
            String data = "{\"orderId\":\"" + customer + "-o" + k + "\",\"customerId\":\"" + customer
                    + "\",\"amount\":1,\"currency\":\"EUR\",\"occurredAt\":\"2026-12-07T06:00:00Z\"}";
            if (i > 0) {
                records.append(',');
            }
            records.append("{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":\"").append(customer)
                    .append("\",\"sequenceNumber\":\"").append(sequence).append("\",\"data\":\"")
                    .append(Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)))
                    .append("\",\"approximateArrivalTimestamp\":").append(System.currentTimeMillis() / 1000.0)
                    .append("},\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",\"eventID\":")
                    .append("\"shardId-000000000000:").append(sequence).append("\",\"eventName\":")
                    .append("\"aws:kinesis:record\",\"invokeIdentityArn\":\"arn:aws:iam::000000000000:role/r\",")
                    .append("\"awsRegion\":\"us-east-1\",\"eventSourceARN\":")
                    .append("\"arn:aws:kinesis:us-east-1:000000000000:stream/orders\"}");
        }
        return "{\"Records\":[" + records + "]}";
    }
}
