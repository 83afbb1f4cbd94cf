package io.shardwise.testkit.internal;

import io.shardwise.testkit.EmulatorException;
import io.shardwise.testkit.KinesisMock;
import io.shardwise.testkit.LocalAwsClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * kinesis-mock as a child {@code node} process.
 *
 * <p>It is started as {@code node -r loopback-preload.js <package>/main.js} with the pinned package found or
 * installed by {@link KinesisMockInstallation}. kinesis-mock cannot be told which address to bind, so the preload
 * script (a resource of this jar, written to a temp file) rewrites its {@code listen} calls to {@code 127.0.0.1},
 * and makes node exit when its stdin (a pipe from this JVM) closes. Its plain-HTTP and TLS ports are free ports
 * picked just before the start; a start that fails because a port was taken meanwhile is retried with new ports.
 * It is ready when {@code GET /healthcheck} on the plain port answers 200.
 *
 * <p>Its output goes to the SLF4J logger {@code io.shardwise.testkit.kinesis-mock}. {@link #close()} closes node's
 * stdin (the preload then exits node at once), and kills the process and its descendants if any is still alive
 * 2 s later (SIGTERM, then SIGKILL after 2 s more).
 */
public final class KinesisMockProcess implements KinesisMock {

    private static final Logger LOG = LoggerFactory.getLogger(KinesisMockProcess.class);
    private static final Logger MOCK_LOG = LoggerFactory.getLogger("io.shardwise.testkit.kinesis-mock");
    private static final int START_ATTEMPTS = 3;
    private static final long START_TIMEOUT_MILLIS = 60_000;

    /** Lifecycle delays of kinesis-mock, all set to zero. */
    static final List<String> ZERO_DURATIONS =
            List.of(
                    "CREATE_STREAM_DURATION",
                    "DELETE_STREAM_DURATION",
                    "REGISTER_STREAM_CONSUMER_DURATION",
                    "DEREGISTER_STREAM_CONSUMER_DURATION",
                    "START_STREAM_ENCRYPTION_DURATION",
                    "STOP_STREAM_ENCRYPTION_DURATION",
                    "MERGE_SHARDS_DURATION",
                    "SPLIT_SHARD_DURATION",
                    "UPDATE_SHARD_COUNT_DURATION",
                    "UPDATE_STREAM_MODE_DURATION");

    private final Process process;
    private final OutputStream stdin;
    private final Path preload;
    private final URI endpoint;
    private final Object lock = new Object();
    private KinesisClient client;
    private volatile boolean closed;

    private KinesisMockProcess(Process process, Path preload, URI endpoint) {
        this.process = process;
        this.stdin = process.getOutputStream(); // kept open: node exits when it closes
        this.preload = preload;
        this.endpoint = endpoint;
    }

    /** Starts a new kinesis-mock on free ports; the caller owns it. */
    public static KinesisMockProcess start() {
        return start(0);
    }

    /**
     * Starts a new kinesis-mock whose plain HTTP endpoint listens on {@code plainPort} (0: a free port; its TLS port
     * is always a free one); the caller owns it.
     */
    public static KinesisMockProcess start(int plainPort) {
        long started = System.nanoTime();
        NodeRuntime node = NodeRuntime.detect();
        Path pkg = KinesisMockInstallation.locate(node);
        Path preload = writePreload();
        try {
            for (int attempt = 1; ; attempt++) {
                int[] ports = FreePorts.take(2);
                int port = plainPort != 0 ? plainPort : ports[0];
                int tlsPort = ports[1];
                Process process = launch(node, pkg, preload, port, tlsPort);
                Commands.OutputPump pump =
                        Commands.OutputPump.start(process.getInputStream(), "kinesis-mock", MOCK_LOG, true);
                URI endpoint = URI.create("http://" + Loopback.HOST + ":" + port);
                String failure = awaitHealthy(process, endpoint);
                if (failure == null) {
                    LOG.info(
                            "kinesis-mock {} (node {}, pid {}) started on {} in {} ms",
                            KinesisMockInstallation.VERSION,
                            node.version(),
                            process.pid(),
                            endpoint,
                            (System.nanoTime() - started) / 1_000_000);
                    return new KinesisMockProcess(process, preload, endpoint);
                }
                Commands.killTree(process, 5);
                joinQuietly(pump);
                String output = pump.tail();
                boolean portTaken = output.contains("EADDRINUSE");
                if (portTaken && attempt < START_ATTEMPTS && plainPort == 0) {
                    LOG.info("kinesis-mock could not bind its ports ({}, {}); retrying with others", port, tlsPort);
                    continue;
                }
                throw new EmulatorException(
                        "kinesis-mock (" + pkg.resolve("main.js") + ", node " + node.version() + ") did not start: "
                                + failure + ". Its last output:\n" + output);
            }
        } catch (RuntimeException e) {
            deleteQuietly(preload);
            throw e;
        }
    }

    private static Process launch(NodeRuntime node, Path pkg, Path preload, int plainPort, int tlsPort) {
        List<String> command = new ArrayList<>();
        command.add(node.node());
        command.add("-r");
        command.add(preload.toString());
        command.add(pkg.resolve("main.js").toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(pkg.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("INITIALIZE_STREAMS");
        env.remove("NODE_OPTIONS"); // e.g. a debugger or another preload from the user's shell
        env.put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
        env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plainPort));
        env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(tlsPort));
        for (String duration : ZERO_DURATIONS) {
            env.put(duration, "0ms");
        }
        env.put("AWS_REGION", LocalAwsClients.REGION.id());
        env.put("SHOULD_PERSIST_DATA", "false");
        env.put("LOAD_DATA_IF_EXISTS", "false");
        env.put("LOG_LEVEL", Settings.KINESIS_MOCK_LOG_LEVEL.value().orElse("WARN"));
        env.put("ROOT_LOG_LEVEL", "ERROR");
        env.put("SHARDWISE_BIND_HOST", Loopback.HOST);
        env.put("SHARDWISE_EXIT_ON_STDIN_EOF", "1");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new EmulatorException(
                    "Could not run `" + node.node() + "` for kinesis-mock (" + e.getMessage() + "). "
                            + NodeRuntime.installHint(),
                    e);
        }
    }

    /** Null when healthy, else why not. */
    private static String awaitHealthy(Process process, URI endpoint) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        URI health = endpoint.resolve("/healthcheck");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return "node exited with code " + process.exitValue();
            }
            if (isHealthy(health)) {
                return process.isAlive() ? null : "node exited with code " + process.exitValue();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for it";
            }
        }
        return "no 200 from " + health + " within " + START_TIMEOUT_MILLIS / 1000 + " s";
    }

    static boolean isHealthy(URI health) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) health.toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(1_000);
            connection.setReadTimeout(2_000);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return status == 200;
        } catch (IOException e) {
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static Path writePreload() {
        String resource = KinesisMockInstallation.RESOURCE_DIR + "loopback-preload.js";
        try (InputStream in = KinesisMockProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new EmulatorException("stream-testkit is missing its resource " + resource);
            }
            Path file = Files.createTempFile("shardwise-loopback-preload-", ".js");
            file.toFile().deleteOnExit();
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new EmulatorException("Could not write kinesis-mock's preload script to a temp file", e);
        }
    }

    /** The node process id, for diagnostics. */
    public long pid() {
        return process.pid();
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public KinesisClient client() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("kinesis-mock on " + endpoint + " was stopped");
            }
            if (client == null) {
                client = LocalAwsClients.kinesis(endpoint);
            }
            return client;
        }
    }

    @Override
    public boolean isRunning() {
        return !closed && process.isAlive();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (client != null) {
                client.close();
            }
            // Closing stdin makes the preload exit node at once. (SIGTERM alone would start kinesis-mock's graceful
            // shutdown, which waits for clients' keep-alive connections to drain: seconds.) Escalate if it lingers.
            List<ProcessHandle> descendants = process.descendants().toList();
            try {
                stdin.close();
            } catch (IOException ignored) {
                // node may be gone already
            }
            try {
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Commands.killTree(process, descendants, 2);
            deleteQuietly(preload);
            LOG.info("kinesis-mock on {} (pid {}) stopped", endpoint, process.pid());
        }
    }

    private static void joinQuietly(Commands.OutputPump pump) {
        try {
            pump.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // deleteOnExit is the fallback
        }
    }

    @Override
    public String toString() {
        return "KinesisMock[" + endpoint + (closed ? ", stopped" : "") + "]";
    }
}
