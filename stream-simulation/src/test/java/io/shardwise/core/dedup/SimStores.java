package io.shardwise.core.dedup;

import java.util.function.LongConsumer;

/**
 * For the simulation only: sets the package-private backoff sleeper of {@link DynamoDbDedupStore}, so the store's
 * own retry pauses pass in virtual time. The pause's length is jittered by the store with {@code ThreadLocalRandom};
 * the simulation ignores it and sleeps a length drawn from its seed, so the interleaving stays the seed's.
 */
public final class SimStores {
    private SimStores() {}

    public static DynamoDbDedupStore.Builder virtualBackoff(DynamoDbDedupStore.Builder b, LongConsumer sleepMillis) {
        return b.sleeper(d -> sleepMillis.accept(d.toMillis()));
    }
}
