package io.shardwise.examples.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of the Lambda Runtime API a runtime client uses, on 127.0.0.1 and a free port: {@code GET
 * /2018-06-01/runtime/invocation/next} hands out the queued events one at a time (blocking while none is queued),
 * {@code POST …/invocation/{id}/response} and {@code …/error} record the outcome, {@code POST …/init/error} records
 * a failed init. Records when each event was handed out and answered, for timings. Thread-safe.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html">Lambda Runtime API</a>
 */
final class RuntimeApiStub implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    /** One invocation as the stub saw it. */
    record Invocation(String requestId, long handedOutNanos, long answeredNanos, boolean error, String body) {
        Duration duration() {
            return Duration.ofNanos(answeredNanos - handedOutNanos);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final ConcurrentHashMap<String, Long> handedOut = new ConcurrentHashMap<>();
    private final BlockingQueue<Invocation> done = new LinkedBlockingQueue<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile long firstNextNanos;

    RuntimeApiStub() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "runtime-api-stub");
            t.setDaemon(true);
            return t;
        }));
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** {@code host:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    void enqueue(String eventJson) {
        events.add(eventJson);
    }

    /** When the runtime client first asked for an event (its init was over), or 0. */
    long firstNextNanos() {
        return firstNextNanos;
    }

    List<String> initErrors() {
        return List.copyOf(initErrors);
    }

    /** The next answered invocation, waiting up to {@code timeout}; null if none came. */
    Invocation awaitAnswer(Duration timeout) throws InterruptedException {
        return done.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            long now = System.nanoTime();
            if (path.equals("invocation/next") && exchange.getRequestMethod().equals("GET")) {
                if (firstNextNanos == 0) {
                    firstNextNanos = now;
                }
                String event;
                try {
                    event = events.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                String id = "req-" + ids.incrementAndGet();
                var headers = exchange.getResponseHeaders();
                headers.add("Lambda-Runtime-Aws-Request-Id", id);
                headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
                headers.add("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:000000000000:function:order-totals");
                headers.add("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0");
                headers.add("Content-Type", "application/json");
                byte[] out = event.getBytes(StandardCharsets.UTF_8);
                handedOut.put(id, System.nanoTime());
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            } else if (path.startsWith("invocation/") && (path.endsWith("/response") || path.endsWith("/error"))) {
                String id = path.substring("invocation/".length(), path.lastIndexOf('/'));
                boolean error = path.endsWith("/error");
                Long start = handedOut.remove(id);
                done.add(new Invocation(id, start == null ? now : start, now, error,
                        new String(body, StandardCharsets.UTF_8)));
                accepted(exchange);
            } else if (path.equals("init/error")) {
                initErrors.add(new String(body, StandardCharsets.UTF_8));
                accepted(exchange);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private static void accepted(HttpExchange exchange) throws IOException {
        byte[] ok = "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(202, ok.length);
        exchange.getResponseBody().write(ok);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
