package io.plugboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

class StagingTest {

    @TempDir
    Path root;

    private ModelStore store;
    private Staging staging;

    @BeforeEach
    void openStore() {
        store = new ModelStore(root, JsonMapper.builder().build());
        staging = store.stage(1 << 20);
    }

    @AfterEach
    void discard() {
        staging.close();
    }

    @Test
    void streamedFileGetsItsSizeAndDigest() throws IOException {
        byte[] data = randomBytes(300_000);

        StagedFile file = write("model.onnx", data);

        assertThat(file.name()).isEqualTo("model.onnx");
        assertThat(file.sizeBytes()).isEqualTo(300_000);
        assertThat(file.sha256()).isEqualTo(sha256(data));
        assertThat(file.path()).isEqualTo(staging.filesDirectory().resolve("model.onnx"));
        assertThat(Files.readAllBytes(file.path())).isEqualTo(data);
        assertThat(staging.files()).containsExactly(file);
        assertThat(staging.totalBytes()).isEqualTo(300_000);
    }

    @Test
    void emptyFileHasTheEmptyDigest() {
        StagedFile file = write("empty.txt", new byte[0]);

        assertThat(file.sizeBytes()).isZero();
        assertThat(file.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void nestedNamesAreKeptAndBackslashesBecomeSlashes() {
        StagedFile nested = write("saved/variables/variables.index", utf8("idx"));
        StagedFile windows = write("saved\\saved_model.pb", utf8("pb"));

        assertThat(nested.path()).isEqualTo(staging.filesDirectory().resolve("saved/variables/variables.index"));
        assertThat(windows.name()).isEqualTo("saved/saved_model.pb");
        assertThat(staging.filesDirectory().resolve("saved/saved_model.pb")).hasContent("pb");
        assertThat(staging.files()).extracting(StagedFile::name)
                .containsExactly("saved/variables/variables.index", "saved/saved_model.pb");
        assertThat(staging.totalBytes()).isEqualTo(5);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "../a", "a/../../b", "a/..", "..\\a", "/abs", "\\abs", "C:/x", "d:\\x",
            "a//b", "a/", "./a", "a/./b", "tab\there", "nul\0"})
    void unsafeNamesAreRefusedAndNothingIsWritten(String name) throws IOException {
        PlugboardException e = refused(name, utf8("x"));

        assertThat(e.type()).isEqualTo(ProblemType.INVALID_FILE_NAME);
        assertThat(staging.files()).isEmpty();
        assertThat(staging.totalBytes()).isZero();
        try (var listing = Files.list(staging.filesDirectory())) {
            assertThat(listing).isEmpty();
        }
        try (var listing = Files.list(staging.directory())) {
            assertThat(listing).containsExactly(staging.filesDirectory());
        }
    }

    @Test
    void overLongAndOverDeepNamesAreRefused() {
        assertThat(refused("a".repeat(256), utf8("x")).type()).isEqualTo(ProblemType.INVALID_FILE_NAME);
        assertThat(refused("d/".repeat(16) + "f", utf8("x")).type()).isEqualTo(ProblemType.INVALID_FILE_NAME);
        assertThat(write("d/".repeat(15) + "f", utf8("x")).name()).hasSize(31);
    }

    @Test
    void sameNameTwiceIsAMalformedRequest() throws IOException {
        write("dir/model.bin", utf8("first"));

        assertThat(refused("dir/model.bin", utf8("second")).type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(refused("dir\\model.bin", utf8("third")).type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(Files.readString(staging.filesDirectory().resolve("dir/model.bin"))).isEqualTo("first");
        assertThat(staging.files()).hasSize(1);
    }

    @Test
    void theByteLimitIsInclusive() {
        staging.close();
        staging = store.stage(100);

        write("a", new byte[60]);
        write("b", new byte[40]);

        assertThat(staging.totalBytes()).isEqualTo(100);
    }

    @Test
    void passingTheByteLimitIsPayloadTooLarge() {
        staging.close();
        staging = store.stage(100);
        write("a", new byte[60]);

        PlugboardException e = refused("b", new byte[41]);

        assertThat(e.type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(e.type().status()).isEqualTo(413);
        assertThat(e.properties()).containsEntry("limitBytes", 100L);
        assertThat(staging.totalBytes()).isEqualTo(60);
        assertThat(staging.files()).extracting(StagedFile::name).containsExactly("a");
    }

    @Test
    void rescanDescribesTheFolderAsItNowIs() throws IOException {
        write("keep.bin", utf8("keep"));
        write("gone.bin", utf8("gone"));
        Path files = staging.filesDirectory();
        Files.delete(files.resolve("gone.bin"));
        Files.writeString(files.resolve("keep.bin"), "changed!");
        Files.createDirectories(files.resolve("unpacked/sub"));
        Files.writeString(files.resolve("unpacked/sub/w.bin"), "weights");

        staging.rescan();

        assertThat(staging.files()).extracting(StagedFile::name, StagedFile::sizeBytes, StagedFile::sha256)
                .containsExactly(
                        tuple("keep.bin", 8L, sha256(utf8("changed!"))),
                        tuple("unpacked/sub/w.bin", 7L, sha256(utf8("weights"))));
        assertThat(staging.totalBytes()).isEqualTo(15);
    }

    @Test
    void closingAnUncommittedStagingDeletesItsFolder() {
        write("model.onnx", utf8("onnx"));
        Path folder = staging.directory();
        assertThat(folder).isDirectory().startsWith(root.resolve("staging"));

        staging.close();

        assertThat(folder).doesNotExist();
        assertThat(root.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void committedStagingSurvivesClose() throws IOException {
        StagedFile file = write("model.onnx", utf8("onnx bytes"));
        StoredModelRecord record = new StoredModelRecord("iris", 3, "onnx", "model.onnx", file.sha256(),
                file.sizeBytes(), Instant.parse("2025-01-02T03:04:05Z"),
                List.of(new StoredFile(file.name(), file.sizeBytes(), file.sha256())), io.plugboard.settings.ModelSettings.DEFAULTS);

        StoredModel stored = store.commit(staging, record);
        staging.close();

        assertThat(stored.filesDirectory()).isEqualTo(store.filesDirectory("iris", 3));
        assertThat(stored.filesDirectory().resolve("model.onnx")).hasContent("onnx bytes");
        assertThat(stored.filesDirectory().resolveSibling(ModelStore.RECORD_FILE)).isRegularFile();
        assertThat(root.resolve("staging")).isEmptyDirectory();
        assertThat(store.list()).extracting(StoredModel::record).containsExactly(record);
    }

    private StagedFile write(String name, byte[] data) {
        return staging.write(name, new ByteArrayInputStream(data));
    }

    private PlugboardException refused(String name, byte[] data) {
        Throwable thrown = catchThrowable(() -> write(name, data));
        assertThat(thrown).isInstanceOf(PlugboardException.class);
        return (PlugboardException) thrown;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
