package io.shardwise.testkit.internal;

import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lazily started, JVM-wide instance of an emulator: started on first {@link #get()}, started again if it was
 * closed or died, and stopped by a JVM shutdown hook (registered once, on first start).
 *
 * <p>Thread-safe: {@link #get()} and {@link #stop()} are serialized, so concurrent first calls start one instance.
 */
public final class SharedInstance<T extends AutoCloseable> {

    private static final Logger LOG = LoggerFactory.getLogger(SharedInstance.class);

    private final String name;
    private final Supplier<T> starter;
    private final Predicate<T> running;
    private T instance;
    private boolean hookRegistered;
    private boolean shuttingDown;

    public SharedInstance(String name, Supplier<T> starter, Predicate<T> running) {
        this.name = name;
        this.starter = starter;
        this.running = running;
    }

    /** The running instance, starting one if there is none (or if the previous one was closed or died). */
    public synchronized T get() {
        if (shuttingDown) {
            throw new IllegalStateException("The JVM is shutting down; " + name + " will not be started");
        }
        if (instance != null && running.test(instance)) {
            return instance;
        }
        if (instance != null) {
            closeQuietly(instance); // died on its own: release what is left
            instance = null;
        }
        if (!hookRegistered) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "shardwise-stop-" + name));
            } catch (IllegalStateException e) {
                throw new IllegalStateException("The JVM is shutting down; " + name + " will not be started", e);
            }
            hookRegistered = true;
        }
        instance = starter.get();
        return instance;
    }

    /** Stops the instance if one is running; the next {@link #get()} starts a new one. */
    public synchronized void stop() {
        if (instance != null) {
            closeQuietly(instance);
            instance = null;
        }
    }

    private synchronized void shutdown() {
        shuttingDown = true;
        stop();
    }

    private void closeQuietly(T value) {
        try {
            value.close();
        } catch (Exception e) {
            LOG.warn("Stopping {} failed", name, e);
        }
    }
}
