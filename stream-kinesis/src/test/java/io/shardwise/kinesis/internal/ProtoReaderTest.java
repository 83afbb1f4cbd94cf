package io.shardwise.kinesis.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.shardwise.kinesis.internal.ProtoReader.WireFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written reader against protobuf-java's own encoder (test scope only). */
class ProtoReaderTest {

    @Test
    void readsWhatProtobufJavaWritesIncludingEveryWireTypeItSkips() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt64(1, -1L);                          // uint64 max: 10-byte varint
        out.writeString(2, "clé");
        out.writeFixed64(3, 7);
        out.writeFixed32(4, 9);
        out.writeTag(5, WireFormat.WIRETYPE_START_GROUP);
        out.writeUInt32(1, 300);
        out.writeTag(5, WireFormat.WIRETYPE_END_GROUP);
        out.writeBytes(6, ByteString.copyFromUtf8("data"));
        out.flush();
        byte[] array = bytes.toByteArray();

        ProtoReader in = ProtoReader.newInstance(array, 0, array.length);
        assertThat(WireFormat.getTagFieldNumber(in.readTag())).isEqualTo(1);
        assertThat(in.readUInt64()).isEqualTo(-1L);
        assertThat(WireFormat.getTagFieldNumber(in.readTag())).isEqualTo(2);
        assertThat(in.readString()).isEqualTo("clé");
        for (int field = 3; field <= 5; field++) {
            int tag = in.readTag();
            assertThat(WireFormat.getTagFieldNumber(tag)).isEqualTo(field);
            assertThat(in.skipField(tag)).isTrue();
        }
        assertThat(WireFormat.getTagFieldNumber(in.readTag())).isEqualTo(6);
        ByteBuffer data = in.readBytes();
        assertThat(data.isReadOnly()).isTrue();
        assertThat(data.position()).isZero();
        assertThat(StandardCharsets.UTF_8.decode(data).toString()).isEqualTo("data");
        assertThat(in.readTag()).isZero();
    }

    @Test
    void anEmbeddedMessageIsReadWithinItsLimit() throws IOException {
        byte[] array = {0x1A, 0x02, 0x08, 0x05, 0x08, 0x07}; // field 3 {field 1 = 5}, then field 1 = 7
        ProtoReader in = ProtoReader.newInstance(array, 0, array.length);
        in.readTag();
        int old = in.pushLimit(in.readRawVarint32());
        assertThat(in.readTag()).isEqualTo(0x08);
        assertThat(in.readUInt64()).isEqualTo(5);
        assertThat(in.readTag()).isZero();
        in.popLimit(old);
        assertThat(in.readTag()).isEqualTo(0x08);
        assertThat(in.readUInt64()).isEqualTo(7);
    }

    @Test
    void malformedInputIsReportedWithItsOffset() {
        assertThatThrownBy(() -> reader(0x08, 0x80).readTagAndVarint())
                .isInstanceOf(ProtoReader.MalformedException.class).hasMessageContaining("truncated varint at offset 1");
        assertThatThrownBy(() -> reader(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)
                .readTagAndVarint()).hasMessageContaining("longer than 10 bytes");
        assertThatThrownBy(() -> reader(0x12, 0x05, 'a').readTagAndString())
                .hasMessageContaining("length 5 at offset 1 runs past the end of its message (1 bytes left)");
        assertThatThrownBy(() -> reader(0x00).in.readTag()).hasMessageContaining("field number 0");
        assertThatThrownBy(() -> reader(0x1A, 0x09, 0x08).pushAfterTag())
                .hasMessageContaining("runs past its enclosing message");
        assertThatThrownBy(() -> reader(0x0F).skipAfterTag()).hasMessageContaining("invalid wire type 7");
        assertThatThrownBy(() -> reader(0x0B, 0x08, 0x01).skipAfterTag()).hasMessageContaining("has no end");
    }

    @Test
    void anEndGroupTagIsLeftToTheCaller() throws IOException {
        ProtoReader in = ProtoReader.newInstance(new byte[]{0x0C}, 0, 1);
        assertThat(in.skipField(in.readTag())).isFalse();
    }

    private static Bytes reader(int... values) {
        byte[] array = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            array[i] = (byte) values[i];
        }
        return new Bytes(ProtoReader.newInstance(array, 0, array.length));
    }

    private record Bytes(ProtoReader in) {
        void readTagAndVarint() throws IOException {
            in.readTag();
            in.readUInt64();
        }

        void readTagAndString() throws IOException {
            in.readTag();
            in.readString();
        }

        void pushAfterTag() throws IOException {
            in.readTag();
            in.pushLimit(in.readRawVarint32());
        }

        void skipAfterTag() throws IOException {
            in.skipField(in.readTag());
        }
    }
}
