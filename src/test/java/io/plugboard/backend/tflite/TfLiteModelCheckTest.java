package io.plugboard.backend.tflite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.flatbuffers.FlatBufferBuilder;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.NativeCache;
import io.plugboard.backend.Target;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made TensorFlow Lite flatbuffers, each breaking one thing the interpreter builder trusts:
 * refused by the check with a precise reason, while the well-formed one loads in the real engine
 * and adds.
 */
class TfLiteModelCheckTest {

    private static final int ADD = 0;
    private static final int CUSTOM = 32;
    private static final int WHILE = 119;

    /** One tensor: shape, type, buffer index. */
    record T(int[] shape, int type, int buffer) {
        static T f32(int... shape) {
            return new T(shape, 0, 0);
        }
    }

    /** One operator: operator-code index, inputs, outputs, and the two ints of its options table (or null). */
    record Op(int code, int[] inputs, int[] outputs, int[] options) {
    }

    /** What the model holds; each test changes one part. */
    static final class Spec {
        int version = 3;
        int[] codes = {ADD};
        String customName;
        List<T> tensors = List.of(T.f32(2), T.f32(2), T.f32(2));
        int[] inputs = {0, 1};
        int[] outputs = {2};
        List<Op> ops = List.of(new Op(0, new int[] {0, 1}, new int[] {2}, null));
        int[] bufferBytes = {0};
        int subgraphs = 1;
    }

    private static int ints(FlatBufferBuilder b, int[] values) {
        b.startVector(4, values.length, 4);
        for (int i = values.length - 1; i >= 0; i--) {
            b.addInt(values[i]);
        }
        return b.endVector();
    }

    private static int tables(FlatBufferBuilder b, int[] offsets) {
        b.startVector(4, offsets.length, 4);
        for (int i = offsets.length - 1; i >= 0; i--) {
            b.addOffset(offsets[i]);
        }
        return b.endVector();
    }

    static byte[] build(Consumer<Spec> change) {
        Spec s = new Spec();
        change.accept(s);
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        b.forceDefaults(true);
        int[] codes = new int[s.codes.length];
        for (int i = 0; i < codes.length; i++) {
            int name = s.customName == null ? 0 : b.createString(s.customName);
            b.startTable(4);
            b.addByte(0, (byte) Math.min(s.codes[i], 127), 0);
            if (name != 0) {
                b.addOffset(1, name, 0);
            }
            b.addInt(2, 1, 1);
            b.addInt(3, s.codes[i], 0);
            codes[i] = b.endTable();
        }
        int[] subgraphs = new int[s.subgraphs];
        for (int g = 0; g < s.subgraphs; g++) {
            int[] tensors = new int[s.tensors.size()];
            for (int i = 0; i < tensors.length; i++) {
                T t = s.tensors.get(i);
                int shape = ints(b, t.shape());
                int name = b.createString("t" + i);
                b.startTable(4);
                b.addOffset(0, shape, 0);
                b.addByte(1, (byte) t.type(), 0);
                b.addInt(2, t.buffer(), 0);
                b.addOffset(3, name, 0);
                tensors[i] = b.endTable();
            }
            int[] ops = new int[s.ops.size()];
            for (int i = 0; i < ops.length; i++) {
                Op op = s.ops.get(i);
                int in = ints(b, op.inputs());
                int out = ints(b, op.outputs());
                int options = 0;
                if (op.options() != null) {
                    b.startTable(2);
                    b.addInt(0, op.options()[0], 0);
                    b.addInt(1, op.options()[1], 0);
                    options = b.endTable();
                }
                b.startTable(5);
                b.addInt(0, op.code(), 0);
                b.addOffset(1, in, 0);
                b.addOffset(2, out, 0);
                if (options != 0) {
                    b.addByte(3, (byte) 1, 0);
                    b.addOffset(4, options, 0);
                }
                ops[i] = b.endTable();
            }
            int tensorVector = tables(b, tensors);
            int inputs = ints(b, s.inputs);
            int outputs = ints(b, s.outputs);
            int opVector = tables(b, ops);
            b.startTable(4);
            b.addOffset(0, tensorVector, 0);
            b.addOffset(1, inputs, 0);
            b.addOffset(2, outputs, 0);
            b.addOffset(3, opVector, 0);
            subgraphs[g] = b.endTable();
        }
        int[] buffers = new int[s.bufferBytes.length];
        for (int i = 0; i < buffers.length; i++) {
            int data = 0;
            if (s.bufferBytes[i] > 0) {
                b.startVector(1, s.bufferBytes[i], 16);
                for (int k = 0; k < s.bufferBytes[i]; k++) {
                    b.addByte((byte) 0);
                }
                data = b.endVector();
            }
            b.startTable(1);
            if (data != 0) {
                b.addOffset(0, data, 0);
            }
            buffers[i] = b.endTable();
        }
        int codeVector = tables(b, codes);
        int subgraphVector = tables(b, subgraphs);
        int bufferVector = tables(b, buffers);
        b.startTable(5);
        b.addInt(0, s.version, 0);
        b.addOffset(1, codeVector, 0);
        b.addOffset(2, subgraphVector, 0);
        b.addOffset(4, bufferVector, 0);
        b.finish(b.endTable(), "TFL3");
        return b.sizedByteArray();
    }

    private static void check(byte[] model) {
        TfLiteModelCheck.check(ByteBuffer.wrap(model));
    }

    private static void assertRefused(Consumer<Spec> change, String... reason) {
        assertThatThrownBy(() -> check(build(change))).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED);
            assertThat(e.getMessage()).contains(reason).contains("refused before TensorFlow Lite reads it");
        });
    }

    @Test
    void aWellFormedModelPassesAndTheEngineRunsIt(@TempDir Path dir) throws Exception {
        byte[] model = build(s -> { });
        assertThatCode(() -> check(model)).doesNotThrowAnyException();
        Files.write(dir.resolve("add.tflite"), model);
        TfLiteBackend backend = new TfLiteBackend(new NativeCache(Path.of("target/engine-cache")));
        try (LoadedModel loaded = backend.load(new ModelSource(dir, "add.tflite", ModelFormat.TFLITE), Target.CPU);
                ModelInstance instance = loaded.newInstance()) {
            ByteBuffer a = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).flip();
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(10).putFloat(20).flip();
            Map<String, Tensor> out = instance.infer(Map.of("t0", Tensor.of(DataType.FP32, new long[] {2}, a),
                    "t1", Tensor.of(DataType.FP32, new long[] {2}, b)), Set.of());
            ByteBuffer sum = out.get("t2").data().order(ByteOrder.LITTLE_ENDIAN);
            assertThat(new float[] {sum.getFloat(0), sum.getFloat(4)}).containsExactly(11f, 22f);
        }
    }

    @Test
    void theCommittedModelsPass() throws Exception {
        for (String name : List.of("arith.tflite", "face_detection_short_range.tflite")) {
            byte[] model = Files.readAllBytes(Path.of("src/test/resources/models/tflite", name));
            assertThatCode(() -> check(model)).as(name).doesNotThrowAnyException();
        }
    }

    @Test
    void indicesThatPointNowhereAreRefused() {
        assertRefused(s -> s.ops = List.of(new Op(5, new int[] {0, 1}, new int[] {2}, null)), "operator code 5");
        assertRefused(s -> s.ops = List.of(new Op(0, new int[] {0, 7}, new int[] {2}, null)), "naming tensor 7");
        assertRefused(s -> s.outputs = new int[] {3}, "subgraph 0 output 3");
        assertRefused(s -> s.tensors = List.of(T.f32(2), T.f32(2), new T(new int[] {2}, 0, 4)), "buffer 4");
        assertRefused(s -> s.subgraphs = 0, "no subgraph");
        // the fuzzer's finding: TensorFlow Lite aborted the process on a tensor two operators write
        assertRefused(s -> s.ops = List.of(new Op(0, new int[] {0, 1}, new int[] {2}, null),
                new Op(0, new int[] {0, 1}, new int[] {2}, null)), "writing tensor 2");
        assertRefused(s -> s.ops = List.of(new Op(0, new int[] {1, 2}, new int[] {0}, null)), "reading tensor 2");
        assertRefused(s -> s.inputs = new int[] {0, 0}, "input 0 named twice");
        // the fuzzer's third finding: a RESHAPE without its shape input crashed the kernel
        assertRefused(s -> s.ops = List.of(new Op(0, new int[] {0, -1}, new int[] {2}, null)), "leaving out input 1");
        assertRefused(s -> s.ops = List.of(new Op(0, new int[] {0, 1}, new int[] {-1}, null)), "leaving out output 0");
        // the fuzzer's second finding: an unscaled uint8 ADD made the engine abort
        assertRefused(s -> s.tensors = List.of(new T(new int[] {2}, 3, 0), new T(new int[] {2}, 3, 0),
                new T(new int[] {2}, 3, 0)), "quantized tensor 0 without a quantization scale");
    }

    @Test
    void shapesAndBuffersMustAgree() {
        assertRefused(s -> s.tensors = List.of(T.f32(2), T.f32(-3), T.f32(2)), "dimension -3");
        assertRefused(s -> s.tensors = List.of(T.f32(2), T.f32(65536, 65536), T.f32(2)), "more than 2^31 elements");
        assertRefused(s -> {
            s.bufferBytes = new int[] {0, 12};
            s.tensors = List.of(T.f32(2), new T(new int[] {2}, 0, 1), T.f32(2));
        }, "2 elements over a buffer of 12 bytes");
        assertRefused(s -> s.tensors = List.of(T.f32(2), new T(new int[] {2}, 42, 0), T.f32(2)), "unknown type 42");
    }

    @Test
    void operatorsTheServerDoesNotRunAreRefusedByName() {
        assertRefused(s -> {
            s.codes = new int[] {CUSTOM};
            s.customName = "FlexReadFile";
        }, "custom operator 'FlexReadFile'");
        assertRefused(s -> s.codes = new int[] {190}, "code 190");
    }

    @Test
    void aSubgraphCallingItselfIsRefused() {
        assertRefused(s -> {
            s.codes = new int[] {ADD, WHILE};
            s.subgraphs = 2;
            s.ops = List.of(new Op(1, new int[] {0}, new int[] {2}, new int[] {1, 1}));
        }, "subgraph 1 calling itself");
    }

    @Test
    void truncatedAndWrongVersionFilesAreRefused() throws Exception {
        byte[] arith = Files.readAllBytes(Path.of("src/test/resources/models/tflite/arith.tflite"));
        // (a cut in bytes the check never reads, such as names, is left to TensorFlow Lite's verifier)
        for (int cut : new int[] {4, 40, arith.length / 2}) {
            byte[] truncated = Arrays.copyOf(arith, cut);
            assertThatThrownBy(() -> check(truncated)).as("cut at " + cut).isInstanceOf(PlugboardException.class);
        }
        assertRefused(s -> s.version = 2, "schema version 2");
    }
}
