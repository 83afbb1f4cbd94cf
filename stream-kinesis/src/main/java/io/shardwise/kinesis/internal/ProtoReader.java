package io.shardwise.kinesis.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The few protobuf wire-format reads the KPL aggregate format needs (varints, length-delimited fields, limits,
 * skipping), over a byte array. It replaces protobuf-java (1.9 MB, and its class loading on a cold start) for
 * {@link KplAggregate}; docs/dependencies.md has the measurements.
 *
 * <p>Its method names follow protobuf-java's {@code CodedInputStream} and {@code WireFormat}, so the parser reads
 * the same either way. Strict: a truncated field, a varint longer than 10 bytes or a length past the current limit
 * throws {@link MalformedException}. Not thread-safe (one reader per aggregate).
 *
 * @see <a href="https://protobuf.dev/programming-guides/encoding/">protobuf encoding</a>
 */
final class ProtoReader {

    /** Tag layout and wire types (the names of protobuf-java's {@code WireFormat}). */
    static final class WireFormat {
        static final int WIRETYPE_VARINT = 0;
        static final int WIRETYPE_FIXED64 = 1;
        static final int WIRETYPE_LENGTH_DELIMITED = 2;
        static final int WIRETYPE_START_GROUP = 3;
        static final int WIRETYPE_END_GROUP = 4;
        static final int WIRETYPE_FIXED32 = 5;

        private WireFormat() {
        }

        static int getTagFieldNumber(int tag) {
            return tag >>> 3;
        }

        static int getTagWireType(int tag) {
            return tag & 7;
        }
    }

    /** Malformed wire format: what was wrong and at which byte offset of the array. */
    static final class MalformedException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private final byte[] buffer;
    private int position;
    private int limit;
    private final int end;

    private ProtoReader(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        this.position = offset;
        this.end = offset + length;
        this.limit = end;
    }

    /** A reader of {@code buffer[offset, offset + length)}. */
    static ProtoReader newInstance(byte[] buffer, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buffer.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " in " + buffer.length);
        }
        return new ProtoReader(buffer, offset, length);
    }

    /** The next field's tag, or 0 at the current limit. */
    int readTag() throws MalformedException {
        if (position == limit) {
            return 0;
        }
        int tag = readRawVarint32();
        if (WireFormat.getTagFieldNumber(tag) == 0) {
            throw new MalformedException("field number 0 (invalid tag " + tag + ") at offset " + position);
        }
        return tag;
    }

    /** A varint, truncated to its low 32 bits as protobuf does for int32 fields and lengths. */
    int readRawVarint32() throws MalformedException {
        return (int) readRawVarint64();
    }

    /** A uint64 varint (returned as a signed long: values over {@link Long#MAX_VALUE} come back negative). */
    long readUInt64() throws MalformedException {
        return readRawVarint64();
    }

    private long readRawVarint64() throws MalformedException {
        int start = position;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw new MalformedException("truncated varint at offset " + start);
            }
            byte b = buffer[position++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new MalformedException("varint longer than 10 bytes at offset " + start);
    }

    /** A length-delimited UTF-8 string; invalid bytes become U+FFFD, as protobuf-java's proto2 reader does. */
    String readString() throws MalformedException {
        int length = readLength();
        String value = new String(buffer, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /**
     * Length-delimited bytes, aliased (no copy): a read-only buffer positioned at zero, sharing the array. The
     * caller must not change the array afterwards.
     */
    ByteBuffer readBytes() throws MalformedException {
        int length = readLength();
        ByteBuffer value = ByteBuffer.wrap(buffer, position, length).slice().asReadOnlyBuffer();
        position += length;
        return value;
    }

    /** Limits reading to the next {@code length} bytes; returns the old limit for {@link #popLimit}. */
    int pushLimit(int length) throws MalformedException {
        if (length < 0 || length > limit - position) {
            throw new MalformedException("embedded message of " + Integer.toUnsignedString(length)
                    + " bytes at offset " + position + " runs past its enclosing message (" + (limit - position)
                    + " bytes left)");
        }
        int old = limit;
        limit = position + length;
        return old;
    }

    /** Restores the limit {@link #pushLimit} returned; the embedded message must have been read to its end. */
    void popLimit(int oldLimit) throws MalformedException {
        if (position != limit) {
            throw new MalformedException("embedded message ending at offset " + limit + " was not read to its end");
        }
        if (oldLimit < limit || oldLimit > end) {
            throw new IllegalArgumentException("not a limit from pushLimit: " + oldLimit);
        }
        limit = oldLimit;
    }

    /**
     * Skips the field whose tag was just read.
     *
     * @return false for an end-group tag (the caller decides whether one was expected)
     */
    boolean skipField(int tag) throws MalformedException {
        switch (WireFormat.getTagWireType(tag)) {
            case WireFormat.WIRETYPE_VARINT -> readRawVarint64();
            case WireFormat.WIRETYPE_FIXED64 -> skip(8);
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> skip(readLength());
            case WireFormat.WIRETYPE_START_GROUP -> {
                int endTag = (WireFormat.getTagFieldNumber(tag) << 3) | WireFormat.WIRETYPE_END_GROUP;
                while (true) {
                    int next = readTag();
                    if (next == 0) {
                        throw new MalformedException("group (field " + WireFormat.getTagFieldNumber(tag) + ") has no end");
                    }
                    if (!skipField(next)) {
                        if (next != endTag) {
                            throw new MalformedException("group (field " + WireFormat.getTagFieldNumber(tag)
                                    + ") ended by the end-group tag of field " + WireFormat.getTagFieldNumber(next));
                        }
                        break;
                    }
                }
            }
            case WireFormat.WIRETYPE_END_GROUP -> {
                return false;
            }
            case WireFormat.WIRETYPE_FIXED32 -> skip(4);
            default -> throw new MalformedException("invalid wire type " + WireFormat.getTagWireType(tag) + " (field "
                    + WireFormat.getTagFieldNumber(tag) + ") at offset " + position);
        }
        return true;
    }

    private int readLength() throws MalformedException {
        int at = position;
        long length = readRawVarint64();
        if (length < 0 || length > limit - position) {
            throw new MalformedException("length " + Long.toUnsignedString(length) + " at offset " + at
                    + " runs past the end of its message (" + (limit - position) + " bytes left)");
        }
        return (int) length;
    }

    private void skip(int length) throws MalformedException {
        if (length > limit - position) {
            throw new MalformedException("truncated field: " + length + " bytes needed at offset " + position
                    + ", " + (limit - position) + " left");
        }
        position += length;
    }
}
