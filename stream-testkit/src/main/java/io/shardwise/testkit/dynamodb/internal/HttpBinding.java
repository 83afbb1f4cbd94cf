package io.shardwise.testkit.dynamodb.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP binding: the JDK's {@link HttpServer} on {@code 127.0.0.1}, every POST handed to {@link WireProtocol} on a
 * pool of daemon threads. While the endpoint is down ({@link #down(boolean)}) the port does not listen, so callers
 * get "connection refused"; it comes back on the same port.
 *
 * <p><b>Thread-safety:</b> thread-safe.
 */
public final class HttpBinding implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpBinding.class);
    private static final String HOST = "127.0.0.1";

    private final WireProtocol protocol;
    private final int port;
    private final ExecutorService executor;
    private HttpServer server; // null while down or closed
    private boolean closed;

    private HttpBinding(WireProtocol protocol, int port, ExecutorService executor) {
        this.protocol = protocol;
        this.port = port;
        this.executor = executor;
    }

    /**
     * Starts listening on {@code port} (0: a free port the OS picks). Sets the JDK server's {@code
     * sun.net.httpserver.nodelay} to true unless it was set: without TCP_NODELAY a response written as headers then
     * body meets the client's delayed ACK and every call takes some 40 ms on loopback.
     */
    public static HttpBinding start(WireProtocol protocol, int port) {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "shardwise-dynamodb-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpServer server = listen(protocol, port, executor);
        HttpBinding binding = new HttpBinding(protocol, server.getAddress().getPort(), executor);
        binding.server = server;
        return binding;
    }

    private static HttpServer listen(WireProtocol protocol, int port, ExecutorService executor) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(HOST, port), 64);
            server.createContext("/", exchange -> serve(protocol, exchange));
            server.setExecutor(executor);
            startAsDaemon(server);
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("Could not listen on " + HOST + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JDK server's dispatcher thread inherits the daemon flag of the thread that calls {@code start()}; started
     * from a daemon thread it never keeps a JVM alive (a {@code main} that forgets to close the server still exits).
     */
    private static void startAsDaemon(HttpServer server) {
        Thread starter = new Thread(server::start, "shardwise-dynamodb-http-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop(0);
            throw new IllegalStateException("Interrupted while starting the HTTP server", e);
        }
    }

    private static void serve(WireProtocol protocol, HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            WireResponse response = protocol.handle(exchange.getRequestHeaders().getFirst("X-Amz-Target"), body);
            if (response.transport() != WireResponse.Transport.RESPONSE) {
                // No response at all: the client sees the connection end (an I/O error it retries).
                exchange.getResponseHeaders().set("Connection", "close");
                return;
            }
            for (Map.Entry<String, String> h : response.headers().entrySet()) {
                exchange.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            exchange.sendResponseHeaders(response.status(), response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    public URI endpoint() {
        return URI.create("http://" + HOST + ":" + port);
    }

    /** Stops listening (down) or listens again on the same port (up). */
    public synchronized void down(boolean down) {
        if (closed) {
            return;
        }
        if (down && server != null) {
            server.stop(0);
            server = null;
            LOG.info("DynamoDB engine endpoint {} is down (fault injection)", endpoint());
        } else if (!down && server == null) {
            server = listen(protocol, port, executor);
            LOG.info("DynamoDB engine endpoint {} is back up", endpoint());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.stop(0);
            server = null;
        }
        executor.shutdownNow();
    }
}
