package io.shardwise.testkit.dynamodb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Times a 100-item TransactWriteItems (100 Puts of ~100-byte items) through the in-process binding and over HTTP,
 * with the real SDK client on both. A plain timed main, not a test: {@code mvn -pl stream-testkit
 * test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.shardwise.testkit.dynamodb.TransactionTiming}.
 * Prints the median and p90 in microseconds after a warm-up.
 */
public final class TransactionTiming {

    private TransactionTiming() {}

    public static void main(String[] args) {
        int warmup = 300;
        int measured = 1000;
        try (DynamoDbEngine engine = DynamoDbEngine.builder().build();
                DynamoDbHttpServer server = engine.serveHttp(0);
                DynamoDbClient inProcess = engine.clientBuilder().build();
                DynamoDbClient http = DynamoDbClient.builder()
                        .endpointOverride(server.endpoint())
                        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                        .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials
                                .create("test", "test"))
                        .httpClient(UrlConnectionHttpClient.create())
                        .build()) {
            inProcess.createTable(r -> r.tableName("timing").billingMode("PAY_PER_REQUEST")
                    .keySchema(k -> k.attributeName("id").keyType("HASH"))
                    .attributeDefinitions(a -> a.attributeName("id").attributeType("S")));
            // Warm both up, then alternate rounds so that JIT progress and machine load hit both alike.
            time(inProcess, warmup, 1);
            time(http, warmup, 1);
            long[] in = new long[0];
            long[] over = new long[0];
            for (int round = 0; round < 5; round++) {
                in = concat(in, time(inProcess, 0, measured / 5));
                over = concat(over, time(http, 0, measured / 5));
            }
            System.out.println("in-process: " + summary(in));
            System.out.println("http:       " + summary(over));
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String summary(long[] micros) {
        Arrays.sort(micros);
        int n = micros.length;
        return "median " + micros[n / 2] + " us, p90 " + micros[n * 9 / 10] + " us (" + n
                + " transactions of 100 puts)";
    }

    private static long[] time(DynamoDbClient client, int warmup, int measured) {
        long[] micros = new long[measured];
        for (int i = 0; i < warmup + measured; i++) {
            List<TransactWriteItem> puts = new ArrayList<>();
            for (int k = 0; k < 100; k++) {
                Map<String, AttributeValue> item = Map.of(
                        "id", AttributeValue.fromS("item-" + k),
                        "payload", AttributeValue.fromS("x".repeat(80)),
                        "n", AttributeValue.fromN(Integer.toString(i)));
                puts.add(TransactWriteItem.builder().put(p -> p.tableName("timing").item(item)).build());
            }
            long start = System.nanoTime();
            client.transactWriteItems(r -> r.transactItems(puts));
            long took = (System.nanoTime() - start) / 1000;
            if (i >= warmup) {
                micros[i - warmup] = took;
            }
        }
        return micros;
    }
}
