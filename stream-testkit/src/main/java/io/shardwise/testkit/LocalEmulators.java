package io.shardwise.testkit;

import io.shardwise.testkit.internal.ElasticMqServer;
import io.shardwise.testkit.internal.EmbeddedDynamoDbServer;
import io.shardwise.testkit.internal.KinesisMockProcess;
import io.shardwise.testkit.internal.SharedInstance;

/**
 * Entry point to the local emulators: one DynamoDB engine, one kinesis-mock and one SQS per JVM, each started lazily on
 * first use, listening on {@code 127.0.0.1} only on a free port, and stopped by a JVM shutdown hook.
 *
 * <pre>{@code
 * EmbeddedDynamoDb ddb = LocalEmulators.dynamoDb(); // the in-JVM DynamoDB engine over HTTP (+ Streams API)
 * ddb.client().createTable(...);
 * KinesisMock kinesis = LocalEmulators.kinesis();  // kinesis-mock under the machine's node (18+)
 * kinesis.client().createStream(...);
 * String queueUrl = LocalEmulators.sqs().createQueue("parking"); // ElasticMQ in this JVM (optional dependency)
 * }</pre>
 *
 * <p>From JUnit, call these in {@code @BeforeAll} (or wherever needed) and do not close the handles: every test
 * class of the JVM shares the instances and the shutdown hook stops them when the test JVM exits. From a
 * {@code main}, either close the handles (try-with-resources) or let the JVM exit; see {@link #stopAll()}.
 *
 * <p>kinesis-mock is the npm package {@code kinesis-local} 0.6.2. It is taken from
 * {@code -Dshardwise.kinesisMock.home} / {@code SHARDWISE_KINESIS_MOCK_HOME} when set (a directory where
 * {@code npm ci} installed it), else from {@code ~/.cache/shardwise/kinesis-local-0.6.2} (or
 * {@code -Dshardwise.cacheDir} / {@code SHARDWISE_CACHE_DIR} / {@code $XDG_CACHE_HOME/shardwise}), where the
 * launcher installs it with {@code npm ci} from the {@code package.json} and {@code package-lock.json} bundled in
 * this jar when it is not there yet. See the module README for every setting.
 *
 * <p><b>Thread-safety:</b> every method is thread-safe; concurrent first calls start a single instance.
 */
public final class LocalEmulators {

    private static final SharedInstance<EmbeddedDynamoDbServer> DYNAMODB =
            new SharedInstance<>("dynamodb", EmbeddedDynamoDbServer::start, EmbeddedDynamoDbServer::isRunning);
    // A lambda, not ElasticMqServer::start: nothing of ElasticMQ (an optional dependency) loads before sqs() is called.
    private static final SharedInstance<EmbeddedSqs> SQS =
            new SharedInstance<>("sqs", () -> ElasticMqServer.start(), EmbeddedSqs::isRunning);
    private static final SharedInstance<KinesisMockProcess> KINESIS =
            new SharedInstance<>("kinesis-mock", KinesisMockProcess::start, KinesisMockProcess::isRunning);

    private LocalEmulators() {}

    /**
     * The JVM's DynamoDB engine ({@link io.shardwise.testkit.dynamodb.DynamoDbEngine}) over HTTP, started on first
     * call (milliseconds). Returns the same instance until it is closed; after that, starts a new, empty one.
     *
     * @throws EmulatorException if it cannot start
     */
    public static EmbeddedDynamoDb dynamoDb() {
        return DYNAMODB.get();
    }

    /**
     * The JVM's kinesis-mock, started on first call (about a second once installed; the first install with
     * {@code npm ci} needs the npm registry). Returns the same instance until it is closed or its process dies;
     * after that, starts a new, empty one.
     *
     * @throws EmulatorException if Node.js 18+ is missing, kinesis-mock cannot be installed, or it does not start;
     *     the message says what to install or set
     */
    public static KinesisMock kinesis() {
        return KINESIS.get();
    }

    /**
     * The JVM's SQS (ElasticMQ in this JVM, {@link EmbeddedSqs}), started on first call (about a second). Returns the
     * same instance until it is closed. Needs {@code software.amazon.awssdk:sqs} and
     * {@code org.elasticmq:elasticmq-rest-sqs_2.13} in your test dependencies.
     *
     * @throws EmulatorException if one of them is missing (the message names it) or ElasticMQ does not start
     */
    public static EmbeddedSqs sqs() {
        return SQS.get();
    }

    /** Stops the emulators that are running (the shutdown hook does the same at JVM exit). Idempotent. */
    public static void stopAll() {
        try {
            KINESIS.stop();
            SQS.stop();
        } finally {
            DYNAMODB.stop();
        }
    }
}
