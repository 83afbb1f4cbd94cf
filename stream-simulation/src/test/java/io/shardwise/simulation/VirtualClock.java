package io.shardwise.simulation;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulation's one clock, in milliseconds. Only the {@link Baton}'s driver and the thread holding the baton
 * move it, so every reader sees the same time at the same point of a schedule. {@link #skewed(long)} gives a
 * container's view of it, off by a bounded skew.
 */
final class VirtualClock {
    /** 2030-01-01T00:00:00Z: far from the epoch, so TTLs and arrival times look real. */
    static final long START = 1_893_456_000_000L;

    private volatile long now = START;

    long now() {
        return now;
    }

    void advance(long millis) {
        if (millis > 0) {
            now += millis;
        }
    }

    void advanceTo(long millis) {
        if (millis > now) {
            now = millis;
        }
    }

    /** A {@link Clock} reading this clock plus {@code skewMillis} (negative: behind). */
    Clock skewed(long skewMillis) {
        return new View(skewMillis);
    }

    private final class View extends Clock {
        private final long skew;

        View(long skew) {
            this.skew = skew;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return now + skew;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }
}
