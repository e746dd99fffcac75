package io.plugboard.convert.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files that must be refused, and how. */
class KerasErrorsTest {

    static final Path DIR = KerasModelsTest.DIR;

    @TempDir
    Path tmp;

    private PlugboardException refuse(Path file) {
        return refuse(file, KerasLimits.DEFAULTS);
    }

    private PlugboardException refuse(Path file, KerasLimits limits) {
        Throwable t = catchThrowable(() -> new KerasConverter(limits).convert(file, tmp.resolve("out.onnx")));
        assertThat(t).as("conversion of " + file.getFileName()).isInstanceOf(PlugboardException.class);
        return (PlugboardException) t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_weights_only.h5", "bad_keras3.weights.h5"})
    void weightsOnlyFilesAskForTheWholeModel(String file) {
        PlugboardException e = refuse(DIR.resolve(file));
        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(e.type().status()).isEqualTo(415);
        assertThat(e.getMessage()).contains("architecture is missing").contains("model.save(\"model.h5\")")
                .contains("model.save(\"model.keras\")");
    }

    @Test
    void everyUnsupportedLayerIsListedOnce() {
        PlugboardException e = refuse(DIR.resolve("bad_lambda_custom.h5"));
        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(e.properties().get("layers")).isEqualTo(List.of("CustomScaling", "Lambda", "MyAttention"));
        assertThat(e.getMessage()).contains("CustomScaling, Lambda, MyAttention");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_weight_shape.h5", "bad_missing_weights.h5", "bad_json.h5", "bad_huge_dataset.h5",
            "bad_deep_nesting.h5"})
    void malformedFilesAreNotModels(String file) {
        assertThat(refuse(DIR.resolve(file)).type()).isEqualTo(ProblemType.NOT_A_MODEL);
    }

    @Test
    void garbageAndEmptyFilesAreNotModels() throws IOException {
        byte[] junk = new byte[5000];
        new Random(7).nextBytes(junk);
        Files.write(tmp.resolve("junk.h5"), junk);
        Files.write(tmp.resolve("empty.h5"), new byte[0]);
        Files.writeString(tmp.resolve("text.keras"), "PK\u0003\u0004 this is not a zip");
        assertThat(refuse(tmp.resolve("junk.h5")).type()).isEqualTo(ProblemType.NOT_A_MODEL);
        assertThat(refuse(tmp.resolve("empty.h5")).type()).isEqualTo(ProblemType.NOT_A_MODEL);
        assertThat(refuse(tmp.resolve("text.keras")).type()).isEqualTo(ProblemType.NOT_A_MODEL);
        assertThat(refuse(tmp.resolve("missing.h5")).type()).isEqualTo(ProblemType.NOT_A_MODEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"k2_conv2d.h5", "k2_recurrent.h5", "k3_functional.keras", "k1_functional.h5"})
    void truncatedFilesAreNotModels(String file) throws IOException {
        byte[] all = Files.readAllBytes(DIR.resolve(file));
        for (int cut : new int[] {16, all.length / 3, all.length / 2}) {
            Path p = tmp.resolve("cut" + cut + "_" + file);
            Files.write(p, java.util.Arrays.copyOf(all, cut));
            assertThat(refuse(p).type()).as(file + " cut at " + cut).isEqualTo(ProblemType.NOT_A_MODEL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"k2_conv2d.h5", "k2_shared_nested.h5", "k3_sequential.keras"})
    void corruptedBytesNeverEscapeAsOtherExceptions(String file) throws IOException {
        byte[] all = Files.readAllBytes(DIR.resolve(file));
        Random r = new Random(file.hashCode());
        for (int i = 0; i < 60; i++) {
            byte[] copy = all.clone();
            for (int k = 0; k < 1 + r.nextInt(8); k++) {
                copy[r.nextInt(copy.length)] = (byte) r.nextInt(256);
            }
            Path p = tmp.resolve("mut" + i + "_" + file);
            Files.write(p, copy);
            try {
                new KerasConverter(KerasLimits.DEFAULTS).convert(p, tmp.resolve("mut.onnx"));
            } catch (PlugboardException expected) {
                // refused properly
            }
        }
    }

    @Test
    void limitsAreEnforced() {
        assertThat(refuse(DIR.resolve("k2_conv2d.h5"), new KerasLimits(10_000, 1000, 8)).getMessage())
                .contains("exceed the limit");
        assertThat(refuse(DIR.resolve("k2_conv2d.h5"), new KerasLimits(5, 1L << 30, 8)).getMessage())
                .contains("more than 5 layers");
        assertThat(refuse(DIR.resolve("k2_shared_nested.h5"), new KerasLimits(100, 1L << 30, 0)).getMessage())
                .contains("nested");
        assertThat(refuse(DIR.resolve("k3_sequential.keras"), new KerasLimits(100, 100, 8)).type())
                .isEqualTo(ProblemType.NOT_A_MODEL);
    }

    @Test
    void hostileKerasArchivesAreNotModels() throws IOException {
        Path noConfig = zip("noconfig.keras", "metadata.json", "{}");
        Path badJson = zip("badjson.keras", "config.json", "{\"class_name\": ", "model.weights.h5", "x");
        Path deep = zip("deep.keras", "config.json", "[".repeat(100_000), "model.weights.h5", "x");
        Path noWeights = zip("noweights.keras", "config.json", "{\"class_name\": \"Sequential\", \"config\": {}}");
        for (Path p : List.of(noConfig, badJson, deep, noWeights)) {
            assertThat(refuse(p).type()).as(p.getFileName().toString()).isEqualTo(ProblemType.NOT_A_MODEL);
        }
    }

    @Test
    void strangeConfigsAreNotModels() throws IOException {
        for (String config : List.of("{\"class_name\": \"Sequential\", \"config\": {\"layers\": []}}",
                "{\"class_name\": \"Functional\", \"config\": {\"layers\": [], \"input_layers\": [], \"output_layers\": [[\"x\", 0, 0]]}}",
                "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": \"many\", \"batch_input_shape\": [null, 2]}}]}}",
                "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"batch_input_shape\": [null, -5]}}]}}",
                "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Conv2D\", \"config\": {\"filters\": 2, \"kernel_size\": [3, 3], \"strides\": [0, 0], \"batch_input_shape\": [null, 4, 4, 1]}}]}}",
                "[1, 2, 3]")) {
            Path weights = tmp.resolve("w.h5");
            Files.copy(DIR.resolve("bad_keras3.weights.h5"), weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path p = zip("strange" + config.hashCode() + ".keras", "config.json", config, "model.weights.h5",
                    new String(Files.readAllBytes(weights), StandardCharsets.ISO_8859_1));
            assertThat(refuse(p).type()).as(config).isEqualTo(ProblemType.NOT_A_MODEL);
        }
    }

    private Path zip(String name, String... entries) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < entries.length; i += 2) {
                z.putNextEntry(new ZipEntry(entries[i]));
                z.write(entries[i + 1].getBytes(StandardCharsets.ISO_8859_1));
                z.closeEntry();
            }
        }
        return p;
    }
}
