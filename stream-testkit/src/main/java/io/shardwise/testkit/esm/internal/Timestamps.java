package io.shardwise.testkit.esm.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The ISO-8601 forms Lambda's on-failure records use. */
final class Timestamps {

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    /** {@code 2019-11-14T00:38:04.835Z}: Kinesis arrival times and every record's {@code timestamp}. */
    static String millis(Instant instant) {
        return MILLIS.format(instant);
    }

    /** {@code 2019-11-14T00:13:19Z}: DynamoDB Streams arrival times. */
    static String seconds(Instant instant) {
        return SECONDS.format(instant);
    }
}
