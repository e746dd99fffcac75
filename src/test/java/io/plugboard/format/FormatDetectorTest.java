package io.plugboard.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recognition from bytes: real files where this machine can make them, byte-exact signatures otherwise. */
class FormatDetectorTest {

    private final FormatDetector detector = new FormatDetector();

    @TempDir
    Path dir;

    private Detection detect(Map<String, byte[]> files) throws Exception {
        List<CandidateFile> candidates = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey().replace('/', '_'));
            Files.write(p, e.getValue());
            candidates.add(new CandidateFile(e.getKey(), p, e.getValue().length));
        }
        return detector.detect(candidates);
    }

    private ModelFormat format(String name, byte[] bytes) throws Exception {
        return detect(Map.of(name, bytes)).format();
    }

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] zip(String... names) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String n : names) {
                zip.putNextEntry(new ZipEntry(n));
                zip.write(n.endsWith("/") ? new byte[0] : text("x"));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] zipOf(Map<String, String> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(text(e.getValue()));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void realFilesMadeHere() throws Exception {
        Path models = Path.of("src/test/resources/models");
        assertThat(format("m.bin", Files.readAllBytes(models.resolve("onnx/cnn.onnx")))).isEqualTo(ModelFormat.ONNX);
        assertThat(format("m.bin", Files.readAllBytes(models.resolve("samples/tiny_torchscript.pt")))).isEqualTo(ModelFormat.TORCHSCRIPT);
        assertThat(format("m.pt", Files.readAllBytes(models.resolve("samples/state_dict.pt")))).isEqualTo(ModelFormat.PYTORCH_PICKLE);
        assertThat(format("m.pt", Files.readAllBytes(models.resolve("samples/legacy_state_dict.pt")))).isEqualTo(ModelFormat.PYTORCH_PICKLE);
        assertThat(format("m.pkl", Files.readAllBytes(models.resolve("samples/plain.pkl")))).isEqualTo(ModelFormat.PICKLE);
        assertThat(format("m.zip", Files.readAllBytes(models.resolve("savedmodel/affine.zip")))).isEqualTo(ModelFormat.TF_SAVEDMODEL);
        assertThat(format("m.tgz", Files.readAllBytes(models.resolve("savedmodel/typed.tar.gz")))).isEqualTo(ModelFormat.TF_SAVEDMODEL);
        assertThat(format("saved_model.pb", Files.readAllBytes(models.resolve("savedmodel/affine/saved_model.pb"))))
                .isEqualTo(ModelFormat.TF_SAVEDMODEL);
        assertThat(format("w.safetensors", Files.readAllBytes(models.resolve("safetensors/weights.safetensors"))))
                .isEqualTo(ModelFormat.SAFETENSORS);
        // the file name never decides: an ONNX file called model.pt is ONNX
        assertThat(format("model.pt", Files.readAllBytes(models.resolve("onnx/add_mul.onnx")))).isEqualTo(ModelFormat.ONNX);
    }

    @Test
    void byteSignatures() throws Exception {
        assertThat(format("m", concat(hex("1c000000"), text("TFL3"), new byte[32]))).isEqualTo(ModelFormat.TFLITE);
        assertThat(format("m", concat(text("ftrt"), new byte[64]))).isEqualTo(ModelFormat.TENSORRT_PLAN);
        assertThat(format("m", concat(text("GGUF"), hex("03000000"), new byte[16]))).isEqualTo(ModelFormat.GGUF);
        assertThat(format("m", concat(hex("894844460d0a1a0a"), new byte[64]))).isEqualTo(ModelFormat.KERAS_H5);
        assertThat(format("m", concat(hex("7f454c46"), new byte[64]))).isEqualTo(ModelFormat.NATIVE_LIBRARY);
        assertThat(format("m", concat(hex("1201000000000000"), new byte[40]))).isEqualTo(ModelFormat.MXNET);
        assertThat(format("m", concat(new byte[] {0, 5, 7, 1, 2, 3, 9, 9}, hex("57fb808b247547db")))).isEqualTo(ModelFormat.TF_CHECKPOINT);
    }

    @Test
    void protobufStructures() throws Exception {
        assertThat(format("m", hex("0804 a21f00"))).isEqualTo(ModelFormat.COREML);                 // specVersion, field 500
        assertThat(format("m", hex("0a0178 a2060208 01"))).isEqualTo(ModelFormat.CAFFE);          // name, layer (field 100)
        assertThat(format("m", hex("0a0d 0800 10ffffffffffffffffff01"))).isEqualTo(ModelFormat.PADDLE);
        assertThat(format("m", hex("0a0a 0a0161 1205436f6e7374 22020801"))).isEqualTo(ModelFormat.TF_GRAPHDEF);
    }

    @Test
    void archivesByTheirEntries() throws Exception {
        String ini = "[info]\nh2o_version = 3.46.0.12\nmojo_version = 1.00\nalgo = glm\n\n[columns]\nx\n";
        assertThat(format("m.zip", zipOf(Map.of("model.ini", ini, "domains/d000.txt", "a"))))
                .isEqualTo(ModelFormat.H2O_MOJO);
        assertThat(format("m.zip", zipOf(Map.of("model.ini", ini)))).as("a GLM MOJO may hold model.ini alone")
                .isEqualTo(ModelFormat.H2O_MOJO);
        byte[] foldersOnly = zipOf(Map.of("model.ini", "[settings]\nalgo = x\n", "domains/d000.txt", "a",
                "trees/t00_000.bin", "b"));
        assertThatThrownBy(() -> format("m.zip", foldersOnly)).as("folders alone do not make a MOJO")
                .isInstanceOf(PlugboardException.class).hasMessageContaining("No file in the upload");
        assertThat(format("m.keras", zip("config.json", "metadata.json", "model.weights.h5"))).isEqualTo(ModelFormat.KERAS_V3);
        assertThat(format("m.zip", zip("configuration.json", "coefficients.bin"))).isEqualTo(ModelFormat.DL4J);
        assertThat(format("m.zip", zip("Manifest.json", "Data/com.apple.CoreML/model.mlmodel"))).isEqualTo(ModelFormat.COREML);
    }

    @Test
    void textStructures() throws Exception {
        assertThat(format("m.xml", text("<?xml version=\"1.0\"?>\n<net name=\"m\" version=\"11\">\n<layers>"))).isEqualTo(ModelFormat.OPENVINO_IR);
        assertThat(format("m.cfg", text("[net]\nwidth=416\nheight=416\n[convolutional]\n"))).isEqualTo(ModelFormat.DARKNET);
        assertThat(format("m.json", text("{\"nodes\": [], \"arg_nodes\": [], \"heads\": [], \"attrs\": {\"mxnet_version\": [\"int\", 10901]}}")))
                .isEqualTo(ModelFormat.MXNET);
        assertThat(format("m.json", text("{\"nodes\": [], \"arg_nodes\": [], \"heads\": [], \"attrs\": {\"dltype\": [], \"storage_id\": []}}")))
                .isEqualTo(ModelFormat.TVM);
        assertThat(format("M.java", text("import hex.genmodel.GenModel;\npublic class M extends GenModel {}"))).isEqualTo(ModelFormat.H2O_POJO);
    }

    @Test
    void multiPartUploadsCombineTheirParts() throws Exception {
        Map<String, byte[]> caffe = new LinkedHashMap<>();
        caffe.put("deploy.prototxt", text("name: \"net\"\ninput: \"data\"\nlayer {\n  name: \"conv\"\n}\n"));
        caffe.put("weights.caffemodel", hex("0a0178 a2060208 01"));
        assertThat(detect(caffe).format()).isEqualTo(ModelFormat.CAFFE);
        Map<String, byte[]> openvino = new LinkedHashMap<>();
        openvino.put("model.xml", text("<?xml version=\"1.0\"?>\n<net name=\"m\" version=\"11\">\n<layers>"));
        openvino.put("model.bin", new byte[] {1, 2, 3, 4});
        assertThat(detect(openvino).format()).isEqualTo(ModelFormat.OPENVINO_IR);
        Map<String, byte[]> mixed = new LinkedHashMap<>();
        mixed.put("a.tflite", concat(hex("1c000000"), text("TFL3"), new byte[32]));
        mixed.put("b.gguf", concat(text("GGUF"), new byte[16]));
        assertThatThrownBy(() -> detect(mixed)).isInstanceOfSatisfying(PlugboardException.class,
                e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_REQUEST));
    }

    @Test
    void garbageIsNotAModel() {
        assertThatThrownBy(() -> format("m.onnx", text("hello, world"))).isInstanceOfSatisfying(PlugboardException.class,
                e -> assertThat(e.type()).isEqualTo(ProblemType.NOT_A_MODEL));
        assertThatThrownBy(() -> format("m.zip", zip("readme.txt"))).isInstanceOfSatisfying(PlugboardException.class,
                e -> assertThat(e.type()).isEqualTo(ProblemType.NOT_A_MODEL));
    }
}
