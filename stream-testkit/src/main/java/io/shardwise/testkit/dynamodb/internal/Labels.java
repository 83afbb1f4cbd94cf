package io.shardwise.testkit.dynamodb.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Names AWS gives to things, e.g. a stream label {@code 2024-11-18T14:36:44.149}. */
final class Labels {

    private static final DateTimeFormatter STREAM_LABEL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Labels() {}

    static String streamLabel(Instant created) {
        return STREAM_LABEL.format(created);
    }
}
