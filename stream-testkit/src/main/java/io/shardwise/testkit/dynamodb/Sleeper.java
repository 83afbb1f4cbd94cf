package io.shardwise.testkit.dynamodb;

import java.time.Duration;

/**
 * How the engine waits for an injected {@link FaultKind#LATENCY}. The default sleeps the calling thread; a
 * simulation passes one that advances its virtual clock instead.
 */
@FunctionalInterface
public interface Sleeper {

    /** Waits {@code duration}; called on the thread handling the request. */
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep(long, int)}. */
    static Sleeper threadSleep() {
        return d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
    }
}
