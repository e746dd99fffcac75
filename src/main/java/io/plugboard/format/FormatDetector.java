package io.plugboard.format;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recognises a model's format from the bytes of its uploaded files, never from their names alone.
 * Nothing is executed or unpickled: archives are listed, protobufs walked, pickles scanned.
 */
public final class FormatDetector {

    private static final int HEAD = 4096;
    private static final Set<Integer> ONNX_FIELDS = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25);
    private static final byte[] TORCH_LEGACY_MAGIC = HexFormat.of().parseHex("8a0a6cfc9c46f9206aa85019");
    private static final long LEVELDB_MAGIC = 0xdb4775248b80fb57L;

    /** What one file looks like on its own; {@code main} false for parts that need a main file. */
    private record Sniff(CandidateFile file, ModelFormat format, boolean main, String evidence) {
    }

    /**
     * Detects the format of an upload.
     *
     * @throws PlugboardException {@link ProblemType#NOT_A_MODEL} when nothing is recognised,
     *     {@link ProblemType#MALFORMED_REQUEST} when parts of different models are mixed.
     */
    public Detection detect(List<CandidateFile> files) {
        List<Sniff> sniffs = new ArrayList<>();
        for (CandidateFile file : files) {
            sniff(file).ifPresent(sniffs::add);
        }
        Set<ModelFormat> mains = sniffs.stream().filter(Sniff::main).map(Sniff::format)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (mains.size() > 1) {
            mains.remove(ModelFormat.SAFETENSORS); // weights beside an ONNX graph
        }
        if (mains.contains(ModelFormat.TF_SAVEDMODEL)) {
            mains.remove(ModelFormat.TF_CHECKPOINT); // variables/variables.index is a checkpoint index
        }
        if (mains.size() > 1) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST,
                    "The upload mixes files of different models (" + mains.stream()
                            .map(ModelFormat::displayName).collect(Collectors.joining(", "))
                            + "); upload one model per request.");
        }
        if (mains.isEmpty()) {
            Optional<Sniff> part = sniffs.stream().findFirst();
            if (part.isPresent()) {
                return new Detection(part.get().format(), part.get().file().name(), part.get().evidence());
            }
            throw new PlugboardException(ProblemType.NOT_A_MODEL,
                    "No file in the upload has the signature of a known model format ("
                            + files.stream().map(this::describeHead).collect(Collectors.joining("; "))
                            + "). See GET /v1/formats for what can be uploaded.");
        }
        ModelFormat format = mains.iterator().next();
        List<Sniff> ofFormat = sniffs.stream().filter(s -> s.main() && s.format() == format).toList();
        if (ofFormat.size() > 1 && format != ModelFormat.TF_SAVEDMODEL) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The upload holds "
                    + ofFormat.size() + " " + format.displayName() + " models ("
                    + ofFormat.stream().map(s -> s.file().name()).collect(Collectors.joining(", "))
                    + "); upload one model per request.");
        }
        Sniff main = ofFormat.get(0);
        return new Detection(format, main.file().name(), main.evidence());
    }

    private String describeHead(CandidateFile file) {
        try (InputStream in = Files.newInputStream(file.path())) {
            byte[] head = in.readNBytes(8);
            return file.name() + ": " + file.size() + " bytes starting "
                    + HexFormat.ofDelimiter(" ").formatHex(head);
        } catch (IOException e) {
            return file.name() + ": unreadable";
        }
    }

    private Optional<Sniff> sniff(CandidateFile file) {
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            ByteBuffer headBuffer = ByteBuffer.allocate((int) Math.min(HEAD, file.size()));
            while (headBuffer.hasRemaining() && channel.read(headBuffer) > 0) {
                // fill
            }
            byte[] head = headBuffer.array();
            return sniff(file, channel, head);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<Sniff> sniff(CandidateFile file, FileChannel channel, byte[] head) throws IOException {
        String lowerName = file.name().toLowerCase(Locale.ROOT);
        if (startsWith(head, 0, "PK\u0003\u0004") || startsWith(head, 0, "PK\u0005\u0006")) {
            return ArchiveListing.zip(file.path()).map(names -> sniffArchive(file, names, true))
                    .orElse(Optional.empty());
        }
        if (head.length > 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return ArchiveListing.tar(file.path(), true).map(names -> sniffArchive(file, names, false))
                    .orElse(Optional.empty());
        }
        if (startsWith(head, 257, "ustar")) {
            return ArchiveListing.tar(file.path(), false).map(names -> sniffArchive(file, names, false))
                    .orElse(Optional.empty());
        }
        if (startsWith(head, 4, "TFL3")) {
            return found(file, ModelFormat.TFLITE, "flatbuffer identifier TFL3 at byte 4");
        }
        if (startsWith(head, 0, "ftrt")) {
            return found(file, ModelFormat.TENSORRT_PLAN, "TensorRT plan signature 'ftrt'");
        }
        if (startsWith(head, 0, "GGUF")) {
            return found(file, ModelFormat.GGUF, "GGUF signature");
        }
        if (startsWith(head, 0, "\u0089HDF\r\n\u001a\n")) {
            return found(file, ModelFormat.KERAS_H5, "HDF5 signature"
                    + (contains(head, "keras_version") || contains(head, "model_config")
                            ? " with Keras attributes" : ""));
        }
        if (startsWith(head, 0, "\u007fELF")) {
            return found(file, ModelFormat.NATIVE_LIBRARY, "ELF signature (native machine code)");
        }
        if (head.length > 1 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return sniffPickle(file);
        }
        Optional<Sniff> safetensors = sniffSafetensors(file, head);
        if (safetensors.isPresent()) {
            return safetensors;
        }
        if (isText(head)) {
            Optional<Sniff> text = sniffText(file, head, lowerName);
            if (text.isPresent()) {
                return text;
            }
        }
        Optional<Sniff> protobuf = sniffProtobuf(file, channel);
        if (protobuf.isPresent()) {
            return protobuf;
        }
        if (file.size() >= 8) {
            ByteBuffer first = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            if (first.getLong() == 0x112) {
                return part(file, ModelFormat.MXNET, "MXNet parameter file magic 0x112");
            }
            ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(tail, file.size() - 8);
            if (tail.flip().remaining() == 8 && tail.getLong() == LEVELDB_MAGIC) {
                return found(file, ModelFormat.TF_CHECKPOINT, "LevelDB table footer (checkpoint index)");
            }
        }
        return Optional.empty();
    }

    private Optional<Sniff> sniffArchive(CandidateFile file, List<String> names, boolean zip) {
        Set<String> base = names.stream().map(FormatDetector::baseName).collect(Collectors.toSet());
        boolean torchData = base.contains("data.pkl");
        boolean torchCode = names.stream().anyMatch(n -> n.matches("(.*/)?code/.*"));
        if (torchData && torchCode && base.contains("constants.pkl")) {
            return found(file, ModelFormat.TORCHSCRIPT, "zip with data.pkl, constants.pkl and code/");
        }
        if (torchData) {
            String dataPkl = names.stream().filter(n -> baseName(n).equals("data.pkl")).findFirst().orElseThrow();
            String content = zip ? ArchiveListing.zipEntry(file.path(), dataPkl, 64 << 20)
                    .map(this::describePickle).orElse("") : "";
            return found(file, ModelFormat.PYTORCH_PICKLE, "torch.save zip archive" + content);
        }
        if (base.contains("saved_model.pb") || base.contains("saved_model.pbtxt")) {
            return found(file, ModelFormat.TF_SAVEDMODEL, "archive holding saved_model.pb");
        }
        if (base.contains("model.ini") && names.stream().anyMatch(n -> n.contains("domains/")
                || n.contains("trees/") || n.contains("experimental/"))) {
            return found(file, ModelFormat.H2O_MOJO, "zip with model.ini (H2O MOJO)");
        }
        if (base.contains("model.weights.h5") && base.contains("config.json")) {
            return found(file, ModelFormat.KERAS_V3, "zip with config.json and model.weights.h5");
        }
        if (base.contains("configuration.json") && base.contains("coefficients.bin")) {
            return found(file, ModelFormat.DL4J, "zip with configuration.json and coefficients.bin");
        }
        if (base.contains("Manifest.json") && names.stream().anyMatch(n -> n.contains("com.apple.CoreML"))) {
            return found(file, ModelFormat.COREML, "Core ML package");
        }
        if (base.contains("inference.pdmodel") || names.stream().anyMatch(n -> n.endsWith(".pdmodel"))) {
            return found(file, ModelFormat.PADDLE, "archive holding a .pdmodel");
        }
        return Optional.empty();
    }

    private Optional<Sniff> sniffPickle(CandidateFile file) {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file.path()))) {
            byte[] start = in.readNBytes(2 + TORCH_LEGACY_MAGIC.length);
            boolean legacyTorch = start.length == 2 + TORCH_LEGACY_MAGIC.length
                    && java.util.Arrays.equals(start, 2, start.length, TORCH_LEGACY_MAGIC, 0,
                            TORCH_LEGACY_MAGIC.length);
            String content = describePickle(Files.newInputStream(file.path()));
            if (legacyTorch) {
                return found(file, ModelFormat.PYTORCH_PICKLE, "legacy torch.save pickle" + content);
            }
            boolean torchy = content.contains("torch");
            return found(file, torchy ? ModelFormat.PYTORCH_PICKLE : ModelFormat.PICKLE,
                    "Python pickle" + content);
        } catch (IOException e) {
            return found(file, ModelFormat.PICKLE, "Python pickle protocol header");
        }
    }

    /** ": a state_dict (weights only)" or ": a whole pickled model (classes …)". */
    private String describePickle(InputStream in) {
        try (in) {
            PickleScanner.Summary summary = PickleScanner.scan(in, 5);
            if (summary.globals().isEmpty()) {
                return "";
            }
            if (summary.isStateDict()) {
                return ": a state_dict (weights only, no model code)";
            }
            List<String> classes = summary.globals().stream()
                    .filter(g -> !PickleScanner.isWeightsOnlyGlobal(g)).limit(5).toList();
            return ": a whole pickled model referencing " + String.join(", ", classes);
        } catch (IOException e) {
            return "";
        }
    }

    private Optional<Sniff> sniffSafetensors(CandidateFile file, byte[] head) {
        if (head.length < 10) {
            return Optional.empty();
        }
        long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > file.size() - 8 || headerLength > (100L << 20)) {
            return Optional.empty();
        }
        if (head[8] != '{') {
            return Optional.empty();
        }
        String start = new String(head, 8, Math.min(head.length - 8, 256), StandardCharsets.UTF_8);
        if (start.contains("\"dtype\"") || start.contains("\"__metadata__\"")
                || start.contains("\"data_offsets\"")) {
            Sniff sniff = new Sniff(file, ModelFormat.SAFETENSORS, true, "SafeTensors JSON header");
            return Optional.of(sniff);
        }
        return Optional.empty();
    }

    private Optional<Sniff> sniffText(CandidateFile file, byte[] head, String lowerName) {
        String text = new String(head, StandardCharsets.UTF_8);
        if (text.contains("<net") && (text.contains("<layers") || text.contains("version="))) {
            return found(file, ModelFormat.OPENVINO_IR, "XML root <net> (OpenVINO IR)");
        }
        if (text.contains("[net]") || text.contains("[network]")) {
            return found(file, ModelFormat.DARKNET, "Darknet cfg with a [net] section");
        }
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("{") && (text.contains("\"dltype\"") || text.contains("\"storage_id\""))) {
            return found(file, ModelFormat.TVM, "TVM graph JSON");
        }
        if (trimmed.startsWith("{") && text.contains("\"nodes\"")
                && (text.contains("\"arg_nodes\"") || text.contains("\"heads\"") || text.contains("mxnet_version"))) {
            return found(file, ModelFormat.MXNET, "MXNet symbol JSON");
        }
        if (text.contains("hex.genmodel") || (text.contains("class ") && text.contains("GenModel"))) {
            return found(file, ModelFormat.H2O_POJO, "Java source of an H2O POJO");
        }
        if (text.matches("(?s).*\\blayers?\\s*\\{.*") || (text.contains("input:") && text.contains("name:"))
                || lowerName.endsWith(".prototxt")) {
            return part(file, ModelFormat.CAFFE, "Caffe prototxt network definition");
        }
        return Optional.empty();
    }

    private Optional<Sniff> sniffProtobuf(CandidateFile file, FileChannel channel) throws IOException {
        ProtobufScanner scanner = new ProtobufScanner(channel);
        Optional<ProtobufScanner.Message> parsed = scanner.scan(0, file.size(), 4096);
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

    private static Optional<Sniff> found(CandidateFile file, ModelFormat format, String evidence) {
        return Optional.of(new Sniff(file, format, true, evidence));
    }

    private static Optional<Sniff> part(CandidateFile file, ModelFormat format, String evidence) {
        return Optional.of(new Sniff(file, format, false, evidence));
    }

    private static String baseName(String entry) {
        String trimmed = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    private static boolean startsWith(byte[] head, int offset, String signature) {
        byte[] sig = signature.getBytes(StandardCharsets.ISO_8859_1);
        if (head.length < offset + sig.length) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            if (head[offset + i] != sig[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] head, String s) {
        return new String(head, StandardCharsets.ISO_8859_1).contains(s);
    }

    private static boolean isText(byte[] head) {
        if (head.length == 0) {
            return false;
        }
        int printable = 0;
        for (byte b : head) {
            int c = b & 0xff;
            if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7f)) {
                printable++;
            } else if (c == 0) {
                return false;
            }
        }
        return printable >= head.length * 0.95;
    }
}
