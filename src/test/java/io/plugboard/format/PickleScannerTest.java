package io.plugboard.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** Pickles built opcode by opcode, and the committed torch samples; nothing is ever unpickled. */
class PickleScannerTest {

    private static final Path SAMPLES = Path.of("src/test/resources/models/samples");

    @Test
    void plainDataHasNoGlobals() throws IOException {
        byte[] pickle = new Pickle().proto(2).op('}').op('q', 0).binUnicode("a").op('K', 1).op('s')
                .op('G', 0x40, 4, 0, 0, 0, 0, 0, 0).op(']').op('N').op(0x88).op(0x89).stop().bytes();

        PickleScanner.Summary summary = scan(pickle, 5);

        assertThat(summary.globals()).isEmpty();
        assertOneWellFormedPickle(summary);
        assertThat(summary.isStateDict()).isFalse();
    }

    @Test
    void globalOpcodeReportsOsSystem() throws IOException {
        byte[] pickle = new Pickle().proto(2).global("os", "system").binUnicode("rm -rf /").op(0x85)
                .op('R').stop().bytes();

        PickleScanner.Summary summary = scan(pickle, 5);

        assertThat(summary.globals()).containsExactly("os.system");
        assertOneWellFormedPickle(summary);
        assertThat(summary.isStateDict()).isFalse();
    }

    @Test
    void stackGlobalReportsBuiltinsEvalInProtocol4() throws IOException {
        Pickle body = new Pickle().shortUnicode("builtins").op(0x94).shortUnicode("eval").op(0x94)
                .op(0x93).op(0x94).shortUnicode("1+1").op(0x85).op('R').stop();
        byte[] pickle = new Pickle().proto(4).frame(body.bytes()).bytes();

        PickleScanner.Summary summary = scan(pickle, 5);

        assertThat(summary.globals()).containsExactly("builtins.eval");
        assertOneWellFormedPickle(summary);
        assertThat(summary.isStateDict()).isFalse();
    }

    @Test
    void instOpcodeAlsoImports() throws IOException {
        byte[] pickle = new Pickle().op('(').text("S'id'\n").text("ios\nsystem\n").stop().bytes();

        assertThat(scan(pickle, 5).globals()).containsExactly("os.system");
    }

    @Test
    void stackGlobalWithMemoisedModuleIsSeen() throws IOException {
        byte[] pickle = new Pickle().proto(4).op(']').op('(').shortUnicode("builtins").op(0x94)
                .shortUnicode("set").op(0x94).op(0x93).op(0x94).op('h', 0).shortUnicode("eval").op(0x93)
                .op('e').stop().bytes();

        PickleScanner.Summary summary = scan(pickle, 5);

        assertThat(summary.globals()).containsExactly("builtins.set", "builtins.eval");
        assertThat(summary.isStateDict()).isFalse();
    }

    @Test
    void plainSampleReferencesCounter() throws IOException {
        PickleScanner.Summary summary = scan(Files.readAllBytes(SAMPLES.resolve("plain.pkl")), 5);

        assertThat(summary.globals()).containsExactly("collections.Counter");
        assertOneWellFormedPickle(summary);
        assertThat(summary.isStateDict()).isFalse();
    }

    @Test
    void stateDictSampleIsWeightsOnly() throws IOException {
        PickleScanner.Summary summary = scan(zipMember("state_dict.pt", "state_dict/data.pkl"), 5);

        assertThat(summary.globals()).containsExactly("collections.OrderedDict",
                "torch._utils._rebuild_tensor_v2", "torch.FloatStorage");
        assertThat(summary.wellFormed()).isTrue();
        assertThat(summary.isStateDict()).isTrue();
    }

    @Test
    void wholeModelSampleNamesItsClasses() throws IOException {
        PickleScanner.Summary summary = scan(zipMember("whole_model.pt", "whole_model/data.pkl"), 5);

        assertThat(summary.globals()).contains("__main__.Tiny", "torch.nn.modules.linear.Linear",
                "torch._utils._rebuild_parameter", "torch.FloatStorage");
        assertThat(summary.globals()).hasSize(7);
        assertThat(summary.isStateDict()).isFalse();
    }

    @Test
    void legacySampleIsSeveralPicklesInARow() throws IOException {
        byte[] legacy = Files.readAllBytes(SAMPLES.resolve("legacy_state_dict.pt"));

        PickleScanner.Summary all = scan(legacy, 5);
        PickleScanner.Summary firstTwo = scan(legacy, 2);

        assertThat(all.pickles()).isEqualTo(5);
        assertThat(all.globals()).containsExactly("collections.OrderedDict",
                "torch._utils._rebuild_tensor_v2", "torch.FloatStorage");
        assertThat(all.isStateDict()).isTrue();
        assertThat(firstTwo.pickles()).isEqualTo(2);
        assertThat(firstTwo.globals()).isEmpty();
    }

    @Test
    void truncatedBeforeStopIsNotWellFormed() throws IOException {
        byte[] whole = new Pickle().proto(2).global("os", "system").binUnicode("ls").op(0x85).op('R').stop()
                .bytes();

        PickleScanner.Summary summary = scan(Arrays.copyOf(whole, whole.length - 1), 5);

        assertThat(summary.globals()).containsExactly("os.system");
        assertThat(summary.pickles()).isZero();
        assertThat(summary.wellFormed()).isFalse();
    }

    @Test
    void truncatedInsideAGlobalLineStopsQuietly() throws IOException {
        PickleScanner.Summary summary = scan(new Pickle().proto(2).text("cos\nsys").bytes(), 5);

        assertThat(summary.globals()).isEmpty();
        assertThat(summary.wellFormed()).isFalse();
    }

    @Test
    void truncatedBinaryPayloadIsAnError() {
        byte[] cut = new Pickle().proto(3).op('B', 0, 1, 0, 0).op('x', 'y', 'z').bytes();

        assertThatThrownBy(() -> scan(cut, 5)).isInstanceOf(IOException.class).hasMessage("truncated pickle");
    }

    @Test
    void nonPickleBytesYieldNothing() throws IOException {
        for (byte[] junk : new byte[][] {"{\"a\": 1}".getBytes(StandardCharsets.UTF_8), new byte[0],
                {(byte) 0xff, 0x00, 0x01}}) {
            PickleScanner.Summary summary = scan(junk, 5);

            assertThat(summary.globals()).isEmpty();
            assertThat(summary.pickles()).isZero();
            assertThat(summary.wellFormed()).isFalse();
        }
    }

    @Test
    void weightsOnlyGlobalsAreTheTorchRebuildHelpers() {
        assertThat(PickleScanner.isWeightsOnlyGlobal("torch._utils._rebuild_tensor_v2")).isTrue();
        assertThat(PickleScanner.isWeightsOnlyGlobal("torch.HalfStorage")).isTrue();
        assertThat(PickleScanner.isWeightsOnlyGlobal("torch.float32")).isTrue();
        assertThat(PickleScanner.isWeightsOnlyGlobal("collections.OrderedDict")).isTrue();
        assertThat(PickleScanner.isWeightsOnlyGlobal("torch.nn.modules.linear.Linear")).isFalse();
        assertThat(PickleScanner.isWeightsOnlyGlobal("builtins.eval")).isFalse();
        assertThat(PickleScanner.isWeightsOnlyGlobal("os.system")).isFalse();
    }

    private static void assertOneWellFormedPickle(PickleScanner.Summary summary) {
        assertThat(summary.pickles()).isEqualTo(1);
        assertThat(summary.wellFormed()).isTrue();
    }

    private static PickleScanner.Summary scan(byte[] bytes, int maxPickles) throws IOException {
        return PickleScanner.scan(new ByteArrayInputStream(bytes), maxPickles);
    }

    private static byte[] zipMember(String archive, String member) throws IOException {
        try (ZipFile zip = new ZipFile(SAMPLES.resolve(archive).toFile());
                InputStream in = zip.getInputStream(zip.getEntry(member))) {
            return in.readAllBytes();
        }
    }

    /** Writes opcodes and their arguments; strings are UTF-8, lengths little-endian. */
    private static final class Pickle {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle text(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle proto(int version) {
            return op(0x80, version);
        }

        Pickle global(String module, String name) {
            return op('c').text(module + "\n" + name + "\n");
        }

        Pickle shortUnicode(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c, b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle binUnicode(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').littleEndian(b.length, 4);
            out.writeBytes(b);
            return this;
        }

        Pickle frame(byte[] body) {
            op(0x95).littleEndian(body.length, 8);
            out.writeBytes(body);
            return this;
        }

        Pickle stop() {
            return op('.');
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private Pickle littleEndian(long value, int width) {
            for (int i = 0; i < width; i++) {
                out.write((int) (value >>> (8 * i)) & 0xff);
            }
            return this;
        }
    }

    @Test
    void aPickleBuiltToFillTheScannersMemoryIsReadInBoundedMemory() throws IOException {
        // 40 M memoised one-byte strings (160 MB, streamed): kept whole, the memo alone would need
        // several GB, past this JVM's heap; and 100 k distinct globals, of which a bounded number is kept
        byte[] memoised = {(byte) 0x8c, 1, 'a', (byte) 0x94};
        long repeats = 40_000_000;
        StringBuilder globals = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            globals.append("cm").append(i).append("\nf\n");
        }
        byte[] tail = (globals + ".").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.InputStream pickle = new java.io.InputStream() {
            private long position = -2;

            @Override
            public int read() {
                long at = position++;
                if (at < 0) {
                    return at == -2 ? 0x80 : 4;
                }
                if (at < repeats * 4) {
                    return memoised[(int) (at % 4)] & 0xff;
                }
                long t = at - repeats * 4;
                return t < tail.length ? tail[(int) t] & 0xff : -1;
            }
        };
        PickleScanner.Summary summary = PickleScanner.scan(new java.io.BufferedInputStream(pickle), 5);
        assertThat(summary.globals()).hasSize(4096);
        assertThat(summary.wellFormed()).isTrue();
    }
}
