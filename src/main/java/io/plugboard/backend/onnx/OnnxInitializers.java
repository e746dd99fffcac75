package io.plugboard.backend.onnx;

import io.plugboard.format.ProtobufScanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Lists an ONNX graph's initializers (name, element type, dims) by walking its protobuf, nothing loaded. */
final class OnnxInitializers {

    /** One initializer: ONNX element type number (1 = FLOAT, …) and dimensions. */
    record Initializer(int dataType, long[] dims) {
    }

    private OnnxInitializers() {
    }

    static Map<String, Initializer> read(Path onnx) throws IOException {
        Map<String, Initializer> found = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(onnx, StandardOpenOption.READ)) {
            ProtobufScanner scanner = new ProtobufScanner(channel);
            Optional<ProtobufScanner.Message> model = scanner.scan(0, channel.size(), 4096);
            if (model.isEmpty()) {
                return found;
            }
            Optional<ProtobufScanner.Field> graph = model.get().first(7);
            if (graph.isEmpty()) {
                return found;
            }
            ProtobufScanner.Field g = graph.get();
            Optional<ProtobufScanner.Message> fields = scanner.scan(g.valueOffset(), g.valueOffset() + g.length(), 10_000_000);
            if (fields.isEmpty()) {
                return found;
            }
            for (ProtobufScanner.Field f : fields.get().fields()) {
                if (f.number() != 5 || f.wireType() != ProtobufScanner.LENGTH_DELIMITED) {
                    continue;
                }
                Optional<ProtobufScanner.Message> tensor = scanner.scan(f.valueOffset(), f.valueOffset() + f.length(), 100_000);
                if (tensor.isEmpty()) {
                    continue;
                }
                String name = null;
                int type = 0;
                List<Long> dims = new ArrayList<>();
                for (ProtobufScanner.Field t : tensor.get().fields()) {
                    switch (t.number()) {
                        case 1 -> {
                            if (t.wireType() == ProtobufScanner.VARINT) {
                                dims.add(t.varint());
                            } else if (t.wireType() == ProtobufScanner.LENGTH_DELIMITED) {
                                dims.addAll(scanner.packedVarints(t, 1024));
                            }
                        }
                        case 2 -> type = (int) t.varint();
                        case 8 -> name = new String(scanner.bytes(t, 4096), StandardCharsets.UTF_8);
                        default -> {
                            // data fields are not read
                        }
                    }
                }
                if (name != null) {
                    found.put(name, new Initializer(type, dims.stream().mapToLong(Long::longValue).toArray()));
                }
            }
        }
        return found;
    }
}
