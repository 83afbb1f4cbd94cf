package io.shardwise.kinesis.reliability;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One clock for everything time-dependent in a run: leases and TTLs (engine and dedup store), the invocation's
 * remaining time ({@code FakeContext}) and "processing time". The harness moves it between invocations (so
 * leases of abandoned invocations expire) and processors move it while they work (so deadlines are reached).
 * Thread-safe.
 */
final class MutableClock extends Clock {
    private final AtomicLong millis;

    MutableClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    void advance(Duration d) {
        millis.addAndGet(d.toMillis());
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
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }
}
