package io.shardwise.testkit.internal;

import com.amazonaws.services.dynamodbv2.local.main.CommandLineInput;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import io.shardwise.testkit.DynamoDbLocal;
import io.shardwise.testkit.EmulatorException;
import io.shardwise.testkit.LocalAwsClients;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * DynamoDB Local 2.x as an HTTP server inside this JVM, bound to {@code 127.0.0.1} on a port chosen by the OS.
 *
 * <p>{@code ServerRunner.createServerFromCommandLineArgs} cannot be used as is: its {@code DynamoDBProxyServer}
 * builds {@code new org.eclipse.jetty.server.Server(port)}, which listens on every interface, and its option
 * parser rejects port 0 (DynamoDB Local 2.6.1 has no host option). So this class parses the same command-line
 * options with DynamoDB Local's own {@link CommandLineInput}, builds the same handler stack that
 * {@code ServerRunner.createServer} builds ({@link LocalDynamoDBRequestHandler} inside a
 * {@link LocalDynamoDBServerHandler} inside a Jetty context), and serves it through a Jetty connector bound to
 * {@code 127.0.0.1:0}. Binding port 0 lets the OS pick the port atomically, so there is no free-port race.
 *
 * <p>Telemetry: DynamoDB Local only emits telemetry from {@code ServerRunner.createServer} and
 * {@code DynamoDBProxyServer.start()}, neither of which is called here; {@code -disableTelemetry} is passed as
 * well, so nothing is sent even if that changes.
 *
 * <p>The server mode (not the embedded, non-HTTP {@code DynamoDBEmbedded} mode) is used on purpose: the embedded
 * mode reports wrong {@code ApproximateCreationDateTime} values on stream records.
 */
public final class DynamoDbLocalServer implements DynamoDbLocal {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbLocalServer.class);

    /** The options given to DynamoDB Local's own parser. */
    static final String[] OPTIONS = {"-inMemory", "-sharedDb", "-disableTelemetry"};

    private final Server server;
    private final LocalDynamoDBServerHandler handler;
    private final ThreadGroup threads;
    private final URI endpoint;
    private final Object lock = new Object();
    private DynamoDbClient client;
    private DynamoDbStreamsClient streamsClient;
    private volatile boolean running = true;

    private DynamoDbLocalServer(
            Server server, LocalDynamoDBServerHandler handler, ThreadGroup threads, URI endpoint) {
        this.server = server;
        this.handler = handler;
        this.threads = threads;
        this.endpoint = endpoint;
    }

    /** Starts a new server; the caller owns it. */
    public static DynamoDbLocalServer start() {
        long started = System.nanoTime();
        CommandLineInput input;
        try {
            input = new CommandLineInput(OPTIONS);
        } catch (Exception e) {
            throw new EmulatorException("DynamoDB Local rejected the options " + String.join(" ", OPTIONS), e);
        }
        if (!input.init()) {
            throw new EmulatorException("DynamoDB Local rejected the options " + String.join(" ", OPTIONS));
        }

        LocalDynamoDBServerHandler handler;
        try {
            LocalDynamoDBRequestHandler requestHandler =
                    new LocalDynamoDBRequestHandler(
                            0,
                            input.isInMemory(),
                            input.getDbPath(),
                            input.getSharedDb(),
                            input.shouldDelayTransientStatuses());
            handler = new LocalDynamoDBServerHandler(requestHandler, input.getCorsParams());
        } catch (Exception e) {
            throw new EmulatorException("Could not create DynamoDB Local's request handler", e);
        }

        // Every request thread lives in its own thread group, so do the threads DynamoDB Local starts from them
        // (its SQLite queue and its background-job pool): close() can then find and end those (see stopThreads).
        ThreadGroup group = new ThreadGroup("dynamodb-local");
        QueuedThreadPool threads = new QueuedThreadPool(32, 2, 60_000, -1, null, group);
        threads.setName("dynamodb-local");
        threads.setDaemon(true);
        Server server = new Server(threads, new ScheduledExecutorScheduler("dynamodb-local-scheduler", true), null);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost(Loopback.HOST);
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler();
        context.setHandler(handler);
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        contexts.addHandler(context);
        server.setHandler(contexts);
        server.setStopAtShutdown(false); // our own shutdown hook stops it, in order, with the handler.
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            handler.close();
            stopThreads(group);
            throw new EmulatorException("Could not start DynamoDB Local on " + Loopback.HOST, e);
        }
        URI endpoint = URI.create("http://" + Loopback.HOST + ":" + connector.getLocalPort());
        LOG.info(
                "DynamoDB Local started on {} in {} ms",
                endpoint,
                (System.nanoTime() - started) / 1_000_000);
        return new DynamoDbLocalServer(server, handler, group, endpoint);
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public DynamoDbClient client() {
        synchronized (lock) {
            ensureRunning();
            if (client == null) {
                client = LocalAwsClients.dynamoDb(endpoint);
            }
            return client;
        }
    }

    @Override
    public DynamoDbStreamsClient streamsClient() {
        synchronized (lock) {
            ensureRunning();
            if (streamsClient == null) {
                streamsClient = LocalAwsClients.dynamoDbStreams(endpoint);
            }
            return streamsClient;
        }
    }

    @Override
    public boolean isRunning() {
        return running && server.isRunning();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            if (client != null) {
                client.close();
            }
            if (streamsClient != null) {
                streamsClient.close();
            }
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("Stopping DynamoDB Local's HTTP server failed", e);
            } finally {
                handler.close();
                stopThreads(threads);
            }
            LOG.info("DynamoDB Local on {} stopped", endpoint);
        }
    }

    /**
     * DynamoDB Local 2.6.1's {@code close()} cancels its background jobs and closes its database, but its job pool
     * threads (non-daemon) stay asleep in a cancelled job, which keeps a JVM from exiting. Interrupting what is
     * left of the thread group ends them; the pool was already shut down, so its workers then exit.
     */
    private static void stopThreads(ThreadGroup group) {
        Thread[] live = new Thread[group.activeCount() + 16];
        int n = group.enumerate(live, true);
        for (int i = 0; i < n; i++) {
            if (live[i] != Thread.currentThread()) {
                live[i].interrupt();
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int i = 0; i < n; i++) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || live[i] == Thread.currentThread()) {
                continue;
            }
            try {
                live[i].join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            if (live[i].isAlive() && live[i] != Thread.currentThread()) {
                LOG.debug("DynamoDB Local thread {} is still alive after close", live[i].getName());
            }
        }
    }

    private void ensureRunning() {
        if (!running) {
            throw new IllegalStateException("DynamoDB Local on " + endpoint + " was stopped");
        }
    }

    @Override
    public String toString() {
        return "DynamoDbLocal[" + endpoint + (running ? "" : ", stopped") + "]";
    }
}
