package io.plugboard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.plugboard.api.codec.BinaryTensors;
import io.plugboard.api.codec.BothWays;
import io.plugboard.api.codec.DecodedRequest;
import io.plugboard.archive.ArchiveLimits;
import io.plugboard.archive.SafeExtractor;
import io.plugboard.format.CandidateFile;
import io.plugboard.format.FormatDetector;
import io.plugboard.problem.PlugboardException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz harnesses over what every client controls: inference requests (JSON, and the binary tensor
 * extension), uploaded files as the format detector reads them (protobuf and pickle scanners
 * included) and uploaded archives. Whatever the bytes, the answer is a client error or a result:
 * never another exception, and an archive never writes outside its folder. Without
 * {@code JAZZER_FUZZ} these run the committed inputs under {@code RequestFuzzTestInputs/}.
 */
class RequestFuzzTest {


    /** Decoded streamed and from its bytes, which must agree (the same tensors, or the same refusal). */
    @FuzzTest(maxDuration = "60s")
    void jsonRequests(byte[] body) {
        try {
            BothWays.decode(body, 1 << 20);
        } catch (PlugboardException expected) {
            assertThat(expected.type().status()).isLessThan(500);
        }
    }

    /** First two bytes: the JSON header's length; then the header; then the binary section. */
    @FuzzTest(maxDuration = "60s")
    void binaryRequests(byte[] body) throws IOException {
        if (body.length < 2) {
            return;
        }
        int headerLength = Math.min(body.length - 2, ((body[0] & 0xff) << 8) | (body[1] & 0xff));
        try {
            DecodedRequest decoded = BothWays.decode(Arrays.copyOfRange(body, 2, 2 + headerLength), 1 << 20);
            byte[] rest = Arrays.copyOfRange(body, 2 + headerLength, body.length);
            BinaryTensors.readInputs(new ByteArrayInputStream(rest), decoded.binaryInputs(), rest.length);
        } catch (PlugboardException expected) {
            assertThat(expected.type().status()).isLessThan(500);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void uploadedFiles(byte[] file) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-detect");
        try {
            Path model = Files.write(dir.resolve("model.bin"), file);
            new FormatDetector().detect(List.of(new CandidateFile("model.bin", model, file.length)));
        } catch (PlugboardException expected) {
            assertThat(expected.type().status()).isLessThan(500);
        } finally {
            delete(dir);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void uploadedArchives(byte[] archive) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-archive");
        try {
            Path file = Files.write(dir.resolve("upload.bin"), archive);
            Path target = Files.createDirectory(dir.resolve("target"));
            try {
                new SafeExtractor(new ArchiveLimits(100, 1 << 20)).extract(file, target);
            } catch (PlugboardException expected) {
                assertThat(expected.type().status()).isLessThan(500);
            }
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("upload.bin", "target");
            }
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
