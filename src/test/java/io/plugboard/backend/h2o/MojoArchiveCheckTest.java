package io.plugboard.backend.h2o;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MOJO declarations checked against the archive before h2o-genmodel allocates by them. */
class MojoArchiveCheckTest {

    private static final Path BINOMIAL = Path.of("src/test/resources/models/mojo/glm_binomial.zip");

    /** glm_binomial.zip with {@code from} replaced by {@code to} in its model.ini. */
    private static Path edited(Path dir, String from, String to) throws Exception {
        Path out = dir.resolve("edited.zip");
        try (ZipFile in = new ZipFile(BINOMIAL.toFile()); OutputStream file = Files.newOutputStream(out);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            for (ZipEntry entry : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().equals("model.ini")) {
                    String ini = new String(bytes, StandardCharsets.UTF_8);
                    assertThat(ini).contains(from);
                    bytes = ini.replace(from, to).getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out;
    }

    @Test
    void theCommittedMojosPass() {
        assertThatCode(() -> MojoArchiveCheck.check(BINOMIAL)).doesNotThrowAnyException();
        assertThatCode(() -> MojoArchiveCheck.check(Path.of("src/test/resources/models/mojo/glm_regression.zip")))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0: 2 d000.txt|0: 1000000000 d000.txt|outside",
        "0: 2 d000.txt|0: 999999 d000.txt|declares 999999 levels",
        "n_columns = 3|n_columns = 5|lists 3 columns",
        "n_classes = 2|n_classes = 4000000000|outside",
        "n_domains = 2|n_domains = 7|n_domains",
        "0: 2 d000.txt|0: 2 missing.txt|does not hold",
        "0: 2 d000.txt|9: 2 d000.txt|column 9",
        "n_features = 2|n_features = lots|not a number",
    })
    void declarationsTheArchiveDoesNotBackAreRefused(String from, String to, String message, @TempDir Path dir)
            throws Exception {
        Path mojo = edited(dir, from, to);
        assertThatThrownBy(() -> MojoArchiveCheck.check(mojo)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void oneBigDomainFileNamedByEveryColumnIsReadOnce(@TempDir Path dir) throws Exception {
        int columns = 2000;
        StringBuilder ini = new StringBuilder("[info]\nn_columns = " + columns + "\nn_features = 1\nn_classes = 1\n"
                + "n_domains = " + columns + "\ncategory = Regression\n\n[columns]\n");
        for (int i = 0; i < columns; i++) {
            ini.append("c").append(i).append('\n');
        }
        ini.append("\n[domains]\n");
        for (int i = 0; i < columns; i++) {
            ini.append(i).append(": 1 big.txt\n");
        }
        Path mojo = dir.resolve("many.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(mojo))) {
            zip.putNextEntry(new ZipEntry("model.ini"));
            zip.write(ini.toString().getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("domains/big.txt"));
            byte[] lines = "a\n".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 32; i++) { // 64 MB that compress to little
                zip.write(lines);
            }
            zip.closeEntry();
        }
        long before = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        assertThatCode(() -> MojoArchiveCheck.check(mojo)).doesNotThrowAnyException();
        long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - before;
        // read per column, the file would be inflated 2000 times: 128 GB
        assertThat(cpu).as("CPU ns").isLessThan(5_000_000_000L);
    }
}
