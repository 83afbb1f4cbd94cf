package io.shardwise.core.dedup;

import io.shardwise.core.StreamProcessingException;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded exponential backoff with full jitter, as the AWS Architecture Blog recommends for contended writes
 * ("Exponential Backoff And Jitter"): the n-th pause is uniform in {@code [0, min(cap, base * 2^n))}, so competing
 * invocations spread out instead of retrying in lock-step.
 */
final class Backoff {

    /** How the pause is taken; tests replace it to run without waiting. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

    /** Tries in all (the first call included) before giving up. */
    static final int DEFAULT_MAX_TRIES = 8;

    private final Duration base;
    private final Duration cap;
    private final int maxTries;
    private final Sleeper sleeper;

    Backoff(Duration base, Duration cap, int maxTries, Sleeper sleeper) {
        this.base = base;
        this.cap = cap;
        this.maxTries = maxTries;
        this.sleeper = sleeper;
    }

    static Backoff standard(Sleeper sleeper) {
        return new Backoff(Duration.ofMillis(25), Duration.ofSeconds(1), DEFAULT_MAX_TRIES, sleeper);
    }

    int maxTries() {
        return maxTries;
    }

    /** Whether another try is allowed after {@code triesSoFar} tries. */
    boolean mayRetry(int triesSoFar) {
        return triesSoFar < maxTries;
    }

    /** Pauses before try number {@code triesSoFar + 1}. */
    void pause(int triesSoFar) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(triesSoFar, 20));
        long millis = ThreadLocalRandom.current().nextLong(ceiling + 1);
        try {
            sleeper.sleep(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamProcessingException("Interrupted while backing off before retrying a dedup store "
                    + "request; the batch is failed so that Lambda redelivers it", e);
        }
    }
}
