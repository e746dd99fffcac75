package io.plugboard.format;

import static io.plugboard.format.Sniff.found;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recognises protobuf models (Core ML, caffemodel, ONNX, SavedModel, Paddle, GraphDef) from the
 * field numbers and wire types of the top-level message.
 */
final class ProtobufSniffer {

    private static final int MAX_FIELDS = 4096;
    private static final Set<Integer> ONNX_FIELDS = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25);

    private ProtobufSniffer() {
    }

    static Optional<Sniff> sniff(CandidateFile file, FileChannel channel) throws IOException {
        ProtobufScanner scanner = new ProtobufScanner(channel);
        Optional<ProtobufScanner.Message> parsed = scanner.scan(0, file.size(), MAX_FIELDS);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        ProtobufScanner.Message message = parsed.get();
        Set<Integer> numbers = message.fields().stream().map(ProtobufScanner.Field::number)
                .collect(Collectors.toSet());
        if (message.maxFieldNumber() >= 200 && message.has(1, ProtobufScanner.VARINT)) {
            return found(file, ModelFormat.COREML, "protobuf Model with specificationVersion and a "
                    + "model-type field ≥ 200 (Core ML)");
        }
        if (message.has(100, ProtobufScanner.LENGTH_DELIMITED)) {
            return found(file, ModelFormat.CAFFE, "protobuf NetParameter with layer field 100 (caffemodel)");
        }
        Optional<ProtobufScanner.Field> irVersion = message.first(1);
        if (ONNX_FIELDS.containsAll(numbers) && message.has(7, ProtobufScanner.LENGTH_DELIMITED)
                && irVersion.isPresent() && irVersion.get().wireType() == ProtobufScanner.VARINT
                && irVersion.get().varint() >= 1 && irVersion.get().varint() <= 64) {
            return found(file, ModelFormat.ONNX, "protobuf ModelProto (ir_version "
                    + irVersion.get().varint() + ", graph, opset_import)");
        }
        if (Set.of(1, 2).containsAll(numbers) && message.has(2, ProtobufScanner.LENGTH_DELIMITED)
                && (!message.has(1, ProtobufScanner.LENGTH_DELIMITED))) {
            return found(file, ModelFormat.TF_SAVEDMODEL, "protobuf SavedModel (schema version, meta graphs)");
        }
        if (message.has(1, ProtobufScanner.LENGTH_DELIMITED)) {
            byte[] first = scanner.bytes(message.first(1).orElseThrow(), 16);
            if (first.length >= 4 && first[0] == 0x08 && first[1] == 0x00 && first[2] == 0x10) {
                return found(file, ModelFormat.PADDLE, "protobuf ProgramDesc (PaddlePaddle .pdmodel)");
            }
            if (Set.of(1, 2, 3, 4).containsAll(numbers) && first.length >= 2 && first[0] == 0x0a) {
                return found(file, ModelFormat.TF_GRAPHDEF, "protobuf GraphDef (nodes)");
            }
        }
        return Optional.empty();
    }
}
