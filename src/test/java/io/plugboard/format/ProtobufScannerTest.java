package io.plugboard.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wire-level reads: plain varint fields, packed repeated varints, and a truncated varint. */
class ProtobufScannerTest {

    @Test
    void readsVarintAndPackedVarintFields(@TempDir Path dir) throws Exception {
        // field 2: varint 150; field 1: packed [3, 300, 2^40]
        byte[] message = {
            0x10, (byte) 0x96, 0x01,
            0x0a, 0x09, 0x03, (byte) 0xac, 0x02, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20,
        };
        Path file = Files.write(dir.resolve("m.pb"), message);
        try (FileChannel channel = FileChannel.open(file)) {
            ProtobufScanner scanner = new ProtobufScanner(channel);
            ProtobufScanner.Message m = scanner.scan(0, message.length, 10).orElseThrow();
            assertThat(m.complete()).isTrue();
            assertThat(m.first(2).orElseThrow().varint()).isEqualTo(150);
            ProtobufScanner.Field packed = m.first(1).orElseThrow();
            assertThat(packed.wireType()).isEqualTo(ProtobufScanner.LENGTH_DELIMITED);
            assertThat(scanner.packedVarints(packed, 1024)).containsExactly(3L, 300L, 1L << 40);
            assertThat(scanner.scan(0, 2, 10)).as("a varint cut short is not a message").isEmpty();
        }
    }
}
