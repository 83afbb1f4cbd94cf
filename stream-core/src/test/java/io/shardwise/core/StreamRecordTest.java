package io.shardwise.core;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamRecordTest {

    @Test
    void dataIsTheBytesBetweenPositionAndLimitReadOnlyAndIndependent() {
        ByteBuffer source = ByteBuffer.wrap(new byte[]{9, 9, 1, 2, 3, 9});
        source.position(2).limit(5);
        StreamRecord<String> r = new StreamRecord<>("p", source, "k", "s", "arn", "1", -1, null, null);
        source.position(0); // the caller moving its buffer changes nothing
        assertThat(r.dataBytes()).containsExactly(1, 2, 3);
        ByteBuffer view = r.data();
        assertThat(view.isReadOnly()).isTrue();
        view.get();
        assertThat(r.data().remaining()).isEqualTo(3);
        assertThatThrownBy(() -> r.data().put((byte) 0)).isInstanceOf(java.nio.ReadOnlyBufferException.class);
    }

    @Test
    void aPayloadSharingTheDataBufferCannotShrinkWhatIsParked() {
        // Adapters pass one read-only buffer as both payload and data (no second view per record).
        ByteBuffer shared = ByteBuffer.wrap(new byte[]{1, 2, 3, 4}).asReadOnlyBuffer();
        StreamRecord<ByteBuffer> r = new StreamRecord<>(shared, shared, "k", "s", "arn", "1", -1, null, null);
        r.payload().position(3).limit(3); // a decoder consuming the payload in place
        assertThat(r.dataBytes()).containsExactly(1, 2, 3, 4);
        assertThat(r.withPayload("decoded").dataBytes()).containsExactly(1, 2, 3, 4);
        assertThat(r.toString()).contains("bytes=4");
    }

    @Test
    void deferredDedupKeyIsDerivedOnceAndOnlyWhenAsked() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        RecordContext unused = RecordContext.withDeferredDedupKey(1, () -> "k" + calls.incrementAndGet(), null,
                null);
        assertThat(unused.attempt()).isEqualTo(1);
        assertThat(calls).hasValue(0);
        RecordContext asked = RecordContext.withDeferredDedupKey(2, () -> "k" + calls.incrementAndGet(), null, null);
        assertThat(asked.dedupKey()).isEqualTo("k1");
        assertThat(asked.dedupKey()).isEqualTo("k1");
        assertThat(calls).hasValue(1);
    }

    @Test
    void positionKeyIncludesTheSubSequenceForKplRecords() {
        StreamRecord<String> plain = new StreamRecord<>("p", null, "k", "s", "arn", "7", -1, null, null);
        StreamRecord<String> sub = new StreamRecord<>("p", null, "k", "s", "arn", "7", 3, null, null);
        assertThat(plain.positionKey()).isEqualTo("arn/s/7");
        assertThat(sub.positionKey()).isEqualTo("arn/s/7/3");
        assertThat(sub.toString()).doesNotContain("p,").contains("sub-sequence 3");
    }
}
