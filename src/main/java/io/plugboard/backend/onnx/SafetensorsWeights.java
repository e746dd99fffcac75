package io.plugboard.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SafeTensors weights that replace an ONNX graph's initializers. Each file is memory-mapped, never
 * copied: ONNX Runtime tensors are created over slices of the mapping and registered with
 * {@link SessionOptions#addInitializer}. Names, element types and shapes are checked against the
 * graph's initializers first; every mismatch is listed in one 422.
 */
final class SafetensorsWeights {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build(); // a name given twice is refused
    private static final long MAX_HEADER = 100L << 20;
    /** SafeTensors dtype → ONNX element type number and ONNX Runtime Java type. */
    private static final Map<String, Object[]> TYPES = Map.ofEntries(
            Map.entry("F32", new Object[] {1, OnnxJavaType.FLOAT, 4}), Map.entry("F64", new Object[] {11, OnnxJavaType.DOUBLE, 8}),
            Map.entry("F16", new Object[] {10, OnnxJavaType.FLOAT16, 2}), Map.entry("BF16", new Object[] {16, OnnxJavaType.BFLOAT16, 2}),
            Map.entry("I64", new Object[] {7, OnnxJavaType.INT64, 8}), Map.entry("I32", new Object[] {6, OnnxJavaType.INT32, 4}),
            Map.entry("I16", new Object[] {5, OnnxJavaType.INT16, 2}), Map.entry("I8", new Object[] {3, OnnxJavaType.INT8, 1}),
            Map.entry("U8", new Object[] {2, OnnxJavaType.UINT8, 1}), Map.entry("BOOL", new Object[] {9, OnnxJavaType.BOOL, 1}));

    private SafetensorsWeights() {
    }

    /** The .safetensors files uploaded beside the graph. */
    static List<Path> find(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .sorted().toList();
        }
    }

    /**
     * Registers every tensor of the files as an initializer override; returns the native tensors,
     * which must stay open as long as the session.
     */
    static List<OnnxTensor> register(OrtEnvironment env, SessionOptions options, Path graph, List<Path> files)
            throws IOException, OrtException {
        Map<String, OnnxInitializers.Initializer> initializers = OnnxInitializers.read(graph);
        List<String> problems = new ArrayList<>();
        List<OnnxTensor> tensors = new ArrayList<>();
        try {
            for (Path file : files) {
                register(env, options, file, initializers, problems, tensors);
            }
            if (!problems.isEmpty()) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The SafeTensors weights do not fit the "
                        + "graph's initializers: " + String.join("; ", problems) + ".",
                        Map.of("mismatches", List.copyOf(problems)));
            }
            return tensors;
        } catch (IOException | OrtException | RuntimeException e) {
            tensors.forEach(OnnxTensor::close);
            throw e;
        }
    }

    private static void register(OrtEnvironment env, SessionOptions options, Path file,
            Map<String, OnnxInitializers.Initializer> initializers, List<String> problems, List<OnnxTensor> tensors)
            throws IOException, OrtException {
        String fileName = file.getFileName().toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long headerLength = lengthBytes.flip().remaining() == 8 ? lengthBytes.getLong() : -1;
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw invalid(fileName, "its header length is " + headerLength);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (JacksonException e) {
                throw invalid(fileName, "its header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            long dataStart = 8 + headerLength;
            if (size - dataStart > Integer.MAX_VALUE) {
                throw invalid(fileName, "it holds more than 2 GiB of data; send it as several shards");
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, size - dataStart);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                String name = e.getKey();
                JsonNode spec = e.getValue();
                Object[] type = TYPES.get(spec.path("dtype").asString(""));
                long[] shape = new long[spec.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = spec.path("shape").get(i).asLong();
                }
                long begin = spec.path("data_offsets").path(0).asLong(-1);
                long end = spec.path("data_offsets").path(1).asLong(-1);
                OnnxInitializers.Initializer target = initializers.get(name);
                if (target == null) {
                    problems.add("'" + name + "' (" + fileName + ") is not an initializer of the graph");
                    continue;
                }
                if (type == null) {
                    problems.add("'" + name + "' has dtype " + spec.path("dtype").asString("?") + ", which is not served");
                    continue;
                }
                if ((int) type[0] != target.dataType()) {
                    problems.add("'" + name + "' is " + spec.path("dtype").asString() + " but the graph's initializer has "
                            + "ONNX element type " + target.dataType());
                    continue;
                }
                if (!Arrays.equals(shape, target.dims())) {
                    problems.add("'" + name + "' has shape " + Arrays.toString(shape) + " but the graph expects "
                            + Arrays.toString(target.dims()));
                    continue;
                }
                long count = 1;
                for (long d : shape) {
                    count *= d;
                }
                if (begin < 0 || end > mapped.capacity() || end - begin != count * (int) type[2]) {
                    problems.add("'" + name + "' has data_offsets that do not match its shape or the file");
                    continue;
                }
                ByteBuffer slice = mapped.slice((int) begin, (int) (end - begin)).order(ByteOrder.nativeOrder());
                OnnxTensor tensor = OnnxTensor.createTensor(env, slice, shape, (OnnxJavaType) type[1]);
                tensors.add(tensor);
                options.addInitializer(name, tensor);
            }
        }
    }

    private static PlugboardException invalid(String file, String why) {
        return new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "'" + file + "' is not a SafeTensors file: " + why + ".");
    }
}
