package io.shardwise.testkit.junit;

import io.shardwise.testkit.EmbeddedSqs;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * A JUnit 5 extension for testing stream consumers locally: injects {@link KinesisClient},
 * {@link DynamoDbClient}, {@link DynamoDbStreamsClient} and a {@link LocalStreams} into test and lifecycle
 * methods (and constructors), and, for parking queues, an {@link EmbeddedSqs} or its {@code SqsClient}: always
 * {@link LocalEmulators#sqs()}, whatever the back-end (add {@code software.amazon.awssdk:sqs} and
 * {@code org.elasticmq:elasticmq-rest-sqs_2.13} to your test dependencies to use them).
 *
 * <pre>{@code
 * @ExtendWith(LocalStreamsExtension.class)
 * class OrderHandlerIT {
 *   @Test
 *   void totalsOrders(LocalStreams streams) {
 *     TestStream stream = streams.createStream(2);
 *     EventSourceMappingRunner runner =
 *         streams.runKinesis(stream, EventSourceMapping.builder().batchSize(10).build(), new OrderHandler());
 *     stream.put("customer-1", "{\"amount\":3}");
 *     runner.awaitDrained(Duration.ofSeconds(10));
 *     …
 *   }
 * }
 * }</pre>
 *
 * <p>By default (and with {@code @ExtendWith}) the back-end is the embedded emulators of {@link LocalEmulators}:
 * each starts on first use, once per JVM (kinesis-mock only when a test asks for Kinesis). With
 * {@code @RegisterExtension static LocalStreamsExtension ext = LocalStreamsExtension.endpoints(kinesis, dynamoDb);}
 * the clients point at other endpoints instead — anything speaking the AWS APIs — with dummy
 * credentials and region {@code us-east-1} (see {@link LocalAwsClients}). With {@link #floci()} or
 * {@link #localStack()} they point at a container started through Testcontainers, where Docker runs.
 *
 * <p>The clients are shared and must not be closed by tests. A {@link LocalStreams} parameter belongs to the test
 * (or, in {@code @BeforeAll}, to the class): what it created is deleted and its runners are closed when that
 * ends. Thread-safe: works with JUnit's parallel execution.
 */
public final class LocalStreamsExtension implements ParameterResolver, ExecutionCondition {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LocalStreamsExtension.class);
    private static final Set<Class<?>> SUPPORTED =
            Set.of(KinesisClient.class, DynamoDbClient.class, DynamoDbStreamsClient.class, LocalStreams.class);

    private static final String SQS_CLIENT = "software.amazon.awssdk.services.sqs.SqsClient";

    private final Backend backend;

    /** The embedded emulators (what {@code @ExtendWith(LocalStreamsExtension.class)} uses). */
    public LocalStreamsExtension() {
        this(new EmbeddedBackend());
    }

    private LocalStreamsExtension(Backend backend) {
        this.backend = backend;
    }

    /** The embedded emulators: the DynamoDB engine in this JVM and kinesis-mock under node, each started on first use. */
    public static LocalStreamsExtension embedded() {
        return new LocalStreamsExtension();
    }

    /**
     * Clients for the given endpoints (for example LocalStack's, which serves both) with dummy credentials. The
     * clients are built on first use and closed when the JVM exits.
     */
    public static LocalStreamsExtension endpoints(URI kinesisEndpoint, URI dynamoDbEndpoint) {
        return new LocalStreamsExtension(new EndpointBackend(kinesisEndpoint, dynamoDbEndpoint));
    }

    /**
     * LocalStack in Docker, through Testcontainers (add {@code org.testcontainers:testcontainers-localstack} to your
     * test dependencies), with the pinned image {@code localstack/localstack:4.7.0}, which needs no auth token. One
     * container per image and JVM, started on first use, serving Kinesis, DynamoDB and DynamoDB Streams. Where no
     * Docker engine runs, tests that use it are <em>skipped</em> (aborted with the reason), not failed, so one suite
     * runs on laptops with and without Docker.
     */
    public static LocalStreamsExtension localStack() {
        return localStack(LocalStackTags.DEFAULT_TAG);
    }

    /**
     * LocalStack with the given image tag. Images published since 2026-03-23 ({@code latest} and the
     * calendar-versioned tags from {@code 2026.03.0}) start only with an auth token: the extension passes
     * {@code LOCALSTACK_AUTH_TOKEN} from the environment to the container when it is set, and skips the tests with
     * the reason when the tag needs a token and none is set. {@link #floci()} needs no token.
     */
    public static LocalStreamsExtension localStack(String tag) {
        return localStack(tag, System::getenv);
    }

    static LocalStreamsExtension localStack(String tag, Function<String, String> environment) {
        Objects.requireNonNull(tag, "tag");
        String token = environment.apply(LocalStackTags.TOKEN_VARIABLE);
        String image = LocalStackTags.IMAGE + ":" + tag;
        return new LocalStreamsExtension(new ContainerBackend(
                "LocalStack",
                image,
                LocalStackTags.missingTokenReason(tag, token),
                "org.testcontainers:testcontainers-localstack",
                () -> DockerContainers.startLocalStack(image, token)));
    }

    /**
     * Floci (MIT licensed, no account and no auth token) in Docker, through Floci's Testcontainers module (add
     * {@code io.floci:testcontainers-floci} to your test dependencies), image {@code floci/floci:latest}. Skipped
     * with the reason where no Docker engine runs, like {@link #localStack()}.
     */
    public static LocalStreamsExtension floci() {
        return floci("latest");
    }

    /** Floci with the given image tag of {@code floci/floci} (pin one for reproducible builds). */
    public static LocalStreamsExtension floci(String tag) {
        Objects.requireNonNull(tag, "tag");
        String image = "floci/floci:" + tag;
        return new LocalStreamsExtension(new ContainerBackend(
                "Floci", image, null, "io.floci:testcontainers-floci", () -> DockerContainers.startFloci(image)));
    }

    /** The Kinesis client of the back-end (starts kinesis-mock if needed); shared, do not close. */
    public KinesisClient kinesis() {
        return backend.kinesis();
    }

    /** The DynamoDB client of the back-end (starts the DynamoDB engine if needed); shared, do not close. */
    public DynamoDbClient dynamoDb() {
        return backend.dynamoDb();
    }

    /** The DynamoDB Streams client of the back-end; shared, do not close. */
    public DynamoDbStreamsClient dynamoDbStreams() {
        return backend.dynamoDbStreams();
    }

    /** Disables (skips, with the reason) the tests of a back-end that cannot run here, e.g. LocalStack without Docker. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = backend.unavailableReason();
        return reason == null ? ConditionEvaluationResult.enabled("back-end available")
                : ConditionEvaluationResult.disabled(reason);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        // SqsClient by name: the SQS SDK is an optional dependency, so this class must load without it.
        return SUPPORTED.contains(type) || type == EmbeddedSqs.class || type.getName().equals(SQS_CLIENT);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        try {
            if (type == KinesisClient.class) {
                return kinesis();
            } else if (type == DynamoDbClient.class) {
                return dynamoDb();
            } else if (type == DynamoDbStreamsClient.class) {
                return dynamoDbStreams();
            } else if (type == EmbeddedSqs.class) {
                return LocalEmulators.sqs();
            } else if (type.getName().equals(SQS_CLIENT)) {
                return LocalEmulators.sqs().client();
            }
            // One LocalStreams per extension context (test method, or class for @BeforeAll), closed with it.
            return context
                    .getStore(NAMESPACE)
                    .getOrComputeIfAbsent(
                            LocalStreams.class.getName() + "@" + System.identityHashCode(this),
                            key -> new ClosingLocalStreams(new LocalStreams(backend::kinesis, backend::dynamoDb,
                                    backend::dynamoDbStreams)),
                            ClosingLocalStreams.class)
                    .streams;
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("could not provide a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Closes the LocalStreams when its extension context ends. */
    private record ClosingLocalStreams(LocalStreams streams) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            streams.close();
        }
    }

    private interface Backend {
        /** Why this back-end cannot run here, or null when it can. */
        default String unavailableReason() {
            return null;
        }

        KinesisClient kinesis();

        DynamoDbClient dynamoDb();

        DynamoDbStreamsClient dynamoDbStreams();
    }

    private static final class EmbeddedBackend implements Backend {
        @Override
        public KinesisClient kinesis() {
            return LocalEmulators.kinesis().client();
        }

        @Override
        public DynamoDbClient dynamoDb() {
            return LocalEmulators.dynamoDb().client();
        }

        @Override
        public DynamoDbStreamsClient dynamoDbStreams() {
            return LocalEmulators.dynamoDb().streamsClient();
        }
    }

    private static final class EndpointBackend implements Backend {
        private final Lazy<KinesisClient> kinesis;
        private final Lazy<DynamoDbClient> dynamoDb;
        private final Lazy<DynamoDbStreamsClient> streams;

        EndpointBackend(URI kinesisEndpoint, URI dynamoDbEndpoint) {
            Objects.requireNonNull(kinesisEndpoint, "kinesisEndpoint");
            Objects.requireNonNull(dynamoDbEndpoint, "dynamoDbEndpoint");
            kinesis = new Lazy<>(() -> LocalAwsClients.kinesis(kinesisEndpoint));
            dynamoDb = new Lazy<>(() -> LocalAwsClients.dynamoDb(dynamoDbEndpoint));
            streams = new Lazy<>(() -> LocalAwsClients.dynamoDbStreams(dynamoDbEndpoint));
        }

        @Override
        public KinesisClient kinesis() {
            return kinesis.get();
        }

        @Override
        public DynamoDbClient dynamoDb() {
            return dynamoDb.get();
        }

        @Override
        public DynamoDbStreamsClient dynamoDbStreams() {
            return streams.get();
        }
    }

    /**
     * A back-end in a Docker container, one per image and JVM, started on first use and stopped at JVM exit. It
     * is unavailable (its tests skipped with the reason) when a precondition fails (e.g. a missing auth token),
     * when the Testcontainers module is not on the class path, or when no Docker engine is reachable.
     */
    private static final class ContainerBackend implements Backend {
        private static final Map<String, EndpointBackend> STARTED = new HashMap<>();

        private final String product;
        private final String image;
        private final String preconditionFailure;
        private final String module;
        private final Supplier<URI> starter;

        ContainerBackend(String product, String image, String preconditionFailure, String module,
                Supplier<URI> starter) {
            this.product = product;
            this.image = image;
            this.preconditionFailure = preconditionFailure;
            this.module = module;
            this.starter = starter;
        }

        @Override
        public String unavailableReason() {
            if (preconditionFailure != null) {
                return preconditionFailure;
            }
            try {
                if (!DockerContainers.dockerAvailable()) {
                    return product + " needs a Docker engine and none is reachable; use the embedded emulators "
                            + "(@ExtendWith(LocalStreamsExtension.class)) instead";
                }
            } catch (NoClassDefFoundError e) {
                return product + " runs through Testcontainers: add " + module + " to your test dependencies";
            }
            return null;
        }

        private EndpointBackend endpoints() {
            synchronized (STARTED) {
                EndpointBackend started = STARTED.get(image);
                if (started == null) {
                    String reason = unavailableReason();
                    if (reason != null) {
                        throw new TestAbortedException(reason);
                    }
                    URI endpoint = starter.get();
                    started = new EndpointBackend(endpoint, endpoint);
                    STARTED.put(image, started);
                }
                return started;
            }
        }

        @Override
        public KinesisClient kinesis() {
            return endpoints().kinesis();
        }

        @Override
        public DynamoDbClient dynamoDb() {
            return endpoints().dynamoDb();
        }

        @Override
        public DynamoDbStreamsClient dynamoDbStreams() {
            return endpoints().dynamoDbStreams();
        }
    }

    /** A client built on first use and closed at JVM exit. */
    private static final class Lazy<T extends AutoCloseable> {
        private final Supplier<T> factory;
        private T value;

        Lazy(Supplier<T> factory) {
            this.factory = factory;
        }

        synchronized T get() {
            if (value == null) {
                T created = factory.get();
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            try {
                                                created.close();
                                            } catch (Exception ignored) {
                                                // the JVM is exiting
                                            }
                                        },
                                        "local-streams-client-close"));
                value = created;
            }
            return value;
        }
    }
}
