package io.shardwise.testkit.junit;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Per-test helpers, injected by {@link LocalStreamsExtension}: creates uniquely named Kinesis streams and DynamoDB
 * tables (waiting until they are active), starts event source mapping runners, and on {@link #close()} closes the
 * runners and deletes what it created.
 *
 * <p>Thread-safe. Creating a stream or a table throws what the SDK throws (for example when the emulator cannot
 * start); the message says which resource.
 */
public final class LocalStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStreams.class);
    private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(60);

    private final Supplier<KinesisClient> kinesis;
    private final Supplier<DynamoDbClient> dynamoDb;
    private final Supplier<DynamoDbStreamsClient> dynamoDbStreams;
    private final List<EventSourceMappingRunner> runners = new ArrayList<>();
    private final List<String> streams = new ArrayList<>();
    private final List<String> tables = new ArrayList<>();

    LocalStreams(
            Supplier<KinesisClient> kinesis,
            Supplier<DynamoDbClient> dynamoDb,
            Supplier<DynamoDbStreamsClient> dynamoDbStreams) {
        this.kinesis = kinesis;
        this.dynamoDb = dynamoDb;
        this.dynamoDbStreams = dynamoDbStreams;
    }

    /** The shared Kinesis client (do not close). */
    public KinesisClient kinesis() {
        return kinesis.get();
    }

    /** The shared DynamoDB client (do not close). */
    public DynamoDbClient dynamoDb() {
        return dynamoDb.get();
    }

    /** The shared DynamoDB Streams client (do not close). */
    public DynamoDbStreamsClient dynamoDbStreams() {
        return dynamoDbStreams.get();
    }

    /** {@code prefix-} and eight random hex digits. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new stream named {@code test-xxxxxxxx} with {@code shards} shards, active; deleted after the test. */
    public TestStream createStream(int shards) {
        return createStream(uniqueName("test"), shards);
    }

    /** A new stream with this name and {@code shards} shards, active; deleted after the test. */
    public TestStream createStream(String name, int shards) {
        KinesisClient client = kinesis();
        client.createStream(b -> b.streamName(name).shardCount(shards));
        synchronized (this) {
            streams.add(name);
        }
        awaitKinesisActive(client, name, ACTIVE_TIMEOUT);
        String arn = client.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamARN();
        return new TestStream(name, arn, client);
    }

    /**
     * A new on-demand table {@code test-xxxxxxxx} with a string partition key and a {@code NEW_AND_OLD_IMAGES}
     * stream, active; deleted after the test.
     */
    public TestTable createTable(String partitionKey) {
        return createTable(
                uniqueName("test"),
                b ->
                        b.keySchema(hashKey(partitionKey)).attributeDefinitions(stringAttribute(partitionKey)));
    }

    /**
     * A new table with a string partition key and a stream of the given view type, active; deleted after the test.
     */
    public TestTable createTable(String partitionKey, StreamViewType viewType) {
        return createTable(
                uniqueName("test"),
                b ->
                        b.keySchema(hashKey(partitionKey))
                                .attributeDefinitions(stringAttribute(partitionKey))
                                .streamSpecification(s -> s.streamEnabled(true).streamViewType(viewType)));
    }

    /**
     * A new table named {@code name}, on-demand with a {@code NEW_AND_OLD_IMAGES} stream unless {@code customizer}
     * says otherwise (it must set the key schema and attribute definitions); waits until active; deleted after the
     * test.
     */
    public TestTable createTable(String name, Consumer<CreateTableRequest.Builder> customizer) {
        DynamoDbClient client = dynamoDb();
        CreateTableRequest.Builder request =
                CreateTableRequest.builder()
                        .tableName(name)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES));
        customizer.accept(request);
        client.createTable(request.build());
        synchronized (this) {
            tables.add(name);
        }
        TableDescription table = awaitTableActive(client, name, ACTIVE_TIMEOUT);
        return new TestTable(name, table.latestStreamArn(), client, dynamoDbStreams());
    }

    /** Starts a runner of {@code stream} into {@code handler}; closed after the test. */
    public EventSourceMappingRunner runKinesis(
            TestStream stream, EventSourceMapping mapping, RequestHandler<KinesisEvent, StreamsEventResponse> handler) {
        return started(EventSourceMappingRunner.forKinesis(stream.source(), mapping, handler));
    }

    /** Starts a tumbling-window runner of {@code stream} into {@code handler}; closed after the test. */
    public EventSourceMappingRunner runKinesisWindows(
            TestStream stream,
            EventSourceMapping mapping,
            RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> handler) {
        return started(EventSourceMappingRunner.forKinesisWindows(stream.source(), mapping, handler));
    }

    /** Starts a runner of {@code table}'s stream into {@code handler}; closed after the test. */
    public EventSourceMappingRunner runDynamoDb(
            TestTable table, EventSourceMapping mapping, RequestHandler<DynamodbEvent, StreamsEventResponse> handler) {
        return started(EventSourceMappingRunner.forDynamoDb(table.source(), mapping, handler));
    }

    private EventSourceMappingRunner started(EventSourceMappingRunner runner) {
        synchronized (this) {
            runners.add(runner);
        }
        return runner.start();
    }

    /** Closes the runners, then deletes the streams and tables it created. Errors are logged, not thrown. */
    @Override
    public void close() {
        List<EventSourceMappingRunner> toClose;
        List<String> toDeleteStreams;
        List<String> toDeleteTables;
        synchronized (this) {
            toClose = new ArrayList<>(runners);
            toDeleteStreams = new ArrayList<>(streams);
            toDeleteTables = new ArrayList<>(tables);
            runners.clear();
            streams.clear();
            tables.clear();
        }
        toClose.forEach(EventSourceMappingRunner::close);
        for (String name : toDeleteStreams) {
            try {
                kinesis().deleteStream(b -> b.streamName(name).enforceConsumerDeletion(true));
            } catch (RuntimeException e) {
                LOG.warn("could not delete stream {}: {}", name, e.toString());
            }
        }
        for (String name : toDeleteTables) {
            try {
                dynamoDb().deleteTable(b -> b.tableName(name));
            } catch (RuntimeException e) {
                LOG.warn("could not delete table {}: {}", name, e.toString());
            }
        }
    }

    private static KeySchemaElement hashKey(String name) {
        return KeySchemaElement.builder().attributeName(name).keyType(KeyType.HASH).build();
    }

    private static AttributeDefinition stringAttribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    static void awaitKinesisActive(KinesisClient client, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            StreamStatus status =
                    client.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamStatus();
            if (status == StreamStatus.ACTIVE) {
                return;
            }
            pause(deadline, "stream " + name + " to become ACTIVE (it is " + status + ")", timeout);
        }
    }

    private static TableDescription awaitTableActive(DynamoDbClient client, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            TableDescription table = client.describeTable(b -> b.tableName(name)).table();
            if (table.tableStatus() == TableStatus.ACTIVE) {
                return table;
            }
            pause(deadline, "table " + name + " to become ACTIVE (it is " + table.tableStatus() + ")", timeout);
        }
    }

    private static void pause(long deadline, String what, Duration timeout) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("waited " + timeout + " for " + what);
        }
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    @Override
    public String toString() {
        synchronized (this) {
            return "LocalStreams{streams=" + streams + ", tables=" + tables + "}";
        }
    }
}
