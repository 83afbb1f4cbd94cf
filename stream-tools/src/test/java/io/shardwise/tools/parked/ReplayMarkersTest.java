package io.shardwise.tools.parked;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.internal.Hashing;
import io.shardwise.core.sink.Parked;
import io.shardwise.core.sink.ParkedRecord;

import java.lang.reflect.Proxy;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** What the replay does with a parked record's dedup marker, case by case (issue 20, item 2). */
class ReplayMarkersTest {

    private static final Instant TTL = Instant.now().plusSeconds(3_600);
    private final InMemoryDedupStore store = new InMemoryDedupStore();

    private static ParkedRecord withDedupId(ParkedRecord r, String dedupId) {
        return new ParkedRecord(r.consumerName(), r.sourceArn(), r.shardId(), r.sequenceNumber(),
                r.subSequenceNumber(), r.partitionKey(), r.approximateArrivalTime(), r.eventId(), r.payloadBase64(),
                r.errorClass(), r.errorMessage(), r.attempts(), r.parkedAt(), dedupId);
    }

    private static ParkedRecord payloadKeyed() {
        return withDedupId(Parked.record(1, "k", new byte[] {1}), Hashing.dedupId(Parked.CONSUMER, "event/e-1"));
    }

    private static ParkedRecord positionKeyed() {
        ParkedRecord r = Parked.record(1, "k", new byte[] {1});
        String position = new StreamRecord<>(null, null, "k", r.shardId(), r.sourceArn(), r.sequenceNumber(),
                r.subSequenceNumber(), null, null).positionKey();
        return withDedupId(r, Hashing.dedupId(Parked.CONSUMER, position));
    }

    @Test
    void aRecordWithoutADedupIdIsPutAsBefore() {
        assertThat(new ReplayMarkers(null).prepare(Parked.record(1, "k", new byte[] {1}), false))
                .isEqualTo(new ReplayMarkers.Decision(true, null));
    }

    @Test
    void withoutAStoreAPositionKeyedRecordIsPutAndAPayloadKeyedOneRefused() {
        ReplayMarkers noStore = new ReplayMarkers(null);

        assertThat(noStore.prepare(positionKeyed(), false)).isEqualTo(new ReplayMarkers.Decision(true, null));
        ReplayMarkers.Decision refused = noStore.prepare(payloadKeyed(), false);
        assertThat(refused.put()).isFalse();
        assertThat(refused.note()).contains("--dedup-table NAME, or builder().dedupStore(store)");
        assertThat(noStore.prepare(payloadKeyed(), true).put()).as("a dry run says so too").isFalse();
    }

    @Test
    void withTheStoreTheParkedMarkerIsReleasedButNotInADryRun() {
        ParkedRecord r = payloadKeyed();
        store.markParked(r.dedupId(), null, TTL);
        ReplayMarkers markers = new ReplayMarkers(store);

        assertThat(markers.prepare(r, true)).isEqualTo(new ReplayMarkers.Decision(true,
                "would release its PARKED dedup marker first"));
        assertThat(store.read(java.util.List.of(r.dedupId()))).containsKey(r.dedupId());

        assertThat(markers.prepare(r, false)).isEqualTo(new ReplayMarkers.Decision(true,
                "released its PARKED dedup marker"));
        assertThat(store.read(java.util.List.of(r.dedupId()))).isEmpty();
    }

    @Test
    void aMarkerNoLongerParkedIsLeftAndTheRecordPut() {
        ParkedRecord r = payloadKeyed();
        DedupStore.Claimed claimed = (DedupStore.Claimed) store.claim(r.dedupId(), null, TTL, TTL);
        store.complete(r.dedupId(), claimed.leaseToken(), TTL);

        ReplayMarkers.Decision d = new ReplayMarkers(store).prepare(r, false);

        assertThat(d.put()).isTrue();
        assertThat(d.note()).startsWith("its dedup marker is no longer PARKED");
        assertThat(store.read(java.util.List.of(r.dedupId())).get(r.dedupId()).status())
                .isEqualTo(DedupStore.Status.COMPLETED);
    }

    @Test
    void aStoreThatFailsKeepsTheRecordFromBeingPut() {
        DedupStore failing = (DedupStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DedupStore.class}, (proxy, method, args) -> {
                    throw new StreamProcessingException("DynamoDB dedup table 'dedup': DeleteItem failed: throttled");
                });

        ReplayMarkers.Decision d = new ReplayMarkers(failing).prepare(payloadKeyed(), false);

        assertThat(d.put()).isFalse();
        assertThat(d.note()).startsWith("releasing its PARKED dedup marker failed").endsWith("throttled");
    }
}
