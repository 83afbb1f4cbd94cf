package io.shardwise.kinesis.internal;

import java.nio.ByteBuffer;

/**
 * {@link ByteBuffer} helpers that never disturb the caller's buffer: they read from a duplicate, from position to
 * limit, and never call {@code array()} (which fails on read-only buffers and does not exist on direct ones).
 */
public final class Buffers {
    private Buffers() {
    }

    /** The bytes from position to limit, as a fresh array. The buffer's position is unchanged. */
    public static byte[] copy(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    /**
     * A read-only view of the bytes from position to limit, positioned at zero and independent of the caller's
     * position and limit (the content is shared, not copied).
     */
    public static ByteBuffer readOnlySlice(ByteBuffer buffer) {
        if (buffer.position() == 0 && buffer.limit() == buffer.capacity()) {
            // Already spans exactly its bytes (the runtime's buffers do): one view instead of two.
            return buffer.asReadOnlyBuffer();
        }
        return buffer.asReadOnlyBuffer().slice();
    }
}
