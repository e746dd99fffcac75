package io.plugboard.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.plugboard.archive.ArchiveLimits;
import io.plugboard.archive.SafeExtractor;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.NativeCache;
import io.plugboard.backend.djl.DjlRuntime;
import io.plugboard.backend.djl.SavedModelBackend;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.FormatDetector;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.settings.ModelSettings;
import io.plugboard.store.ModelStore;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModelRecord;
import io.plugboard.support.Http;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads staged into a real store, recognised and prepared, and what is left behind when they end. */
class UploadIngestTest {

    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final Path ADD_MUL = MODELS.resolve("onnx/add_mul.onnx");
    private static final Path AFFINE = MODELS.resolve("safetensors/affine.onnx");
    private static final Path WEIGHTS = MODELS.resolve("safetensors/weights.safetensors");
    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
    private static final long ROOMY = 1 << 20;
    private static final BackendRegistry BACKENDS = new BackendRegistry(List.of(
            new OnnxBackend(OnnxSettings.defaults()),
            new SavedModelBackend(new DjlRuntime(new NativeCache(Path.of("target/engine-cache"))))));

    @TempDir
    Path root;

    private ModelStore store;

    @BeforeEach
    void openStore() {
        store = new ModelStore(root, Http.JSON);
    }

    @AfterAll
    static void closeBackends() {
        BACKENDS.close();
    }

    @Test
    void aSingleOnnxFileIsStagedAndDescribed() throws Exception {
        try (IngestedUpload upload = ingest(ROOMY, Optional.empty(), ADD_MUL)) {
            assertThat(upload.detection().format()).isEqualTo(ModelFormat.ONNX);
            assertThat(upload.detection().mainFile()).isEqualTo("add_mul.onnx");

            Path staged = upload.source(ModelSettings.DEFAULTS).directory();
            assertThat(staged).startsWith(root.resolve("staging").toAbsolutePath());
            assertThat(upload.source(ModelSettings.DEFAULTS).mainPath()).hasSameBinaryContentAs(ADD_MUL);
            assertThat(stagingLeft()).singleElement().satisfies(dir -> assertThat(staged).startsWith(dir));

            StoredModelRecord record = upload.record("m", 2, NOW, ModelSettings.DEFAULTS);
            StoredFile file = new StoredFile("add_mul.onnx", Files.size(ADD_MUL), sha256(ADD_MUL));
            assertThat(record).isEqualTo(new StoredModelRecord("m", 2, "onnx", "add_mul.onnx", file.sha256(),
                    file.sizeBytes(), NOW, List.of(file), ModelSettings.DEFAULTS));
        }
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void aCommittedUploadBecomesAStoredVersionAndLeavesNoStaging() throws Exception {
        try (IngestedUpload upload = ingest(ROOMY, Optional.empty(), ADD_MUL)) {
            upload.commit(upload.record("m", 1, NOW, ModelSettings.DEFAULTS));
        }

        assertThat(store.list("m")).extracting(m -> m.record().sha256()).containsExactly(sha256(ADD_MUL));
        assertThat(store.filesDirectory("m", 1).resolve("add_mul.onnx")).hasSameBinaryContentAs(ADD_MUL);
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void anUploadWithoutPartsIsMissingItsFile() throws Exception {
        PlugboardException e = refusal(ROOMY, Optional.empty());

        assertThat(e.type()).isEqualTo(ProblemType.MISSING_FILE);
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void aSavedModelZipIsUnpackedAndTheArchiveDropped() throws Exception {
        requireTensorFlowInBuild();
        Path zip = MODELS.resolve("savedmodel/affine.zip");
        try (IngestedUpload upload = ingest(ROOMY, Optional.empty(), zip)) {
            assertThat(upload.detection().format()).isEqualTo(ModelFormat.TF_SAVEDMODEL);
            assertThat(upload.detection().mainFile()).isEqualTo("savedmodel/saved_model.pb");

            StoredModelRecord record = upload.record("tf", 1, NOW, ModelSettings.DEFAULTS);
            assertThat(record.mainFile()).isEqualTo("savedmodel/saved_model.pb");
            assertThat(record.files()).extracting(StoredFile::path).containsExactlyInAnyOrder(
                    "savedmodel/saved_model.pb", "savedmodel/variables/variables.index",
                    "savedmodel/variables/variables.data-00000-of-00001");
            assertThat(record.sizeBytes()).isEqualTo(1329 + 122 + 4);
            assertThat(record.sha256()).as("the digest of the upload as sent").isEqualTo(sha256(zip));
            assertThat(upload.source(ModelSettings.DEFAULTS).directory().resolve("affine.zip")).doesNotExist();
            assertThat(upload.source(ModelSettings.DEFAULTS).mainPath())
                    .hasSameBinaryContentAs(MODELS.resolve("savedmodel/affine/saved_model.pb"));
        }
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void aSavedModelTarGzWithATopFolderKeepsIt() throws Exception {
        requireTensorFlowInBuild();
        Path tarGz = MODELS.resolve("savedmodel/typed.tar.gz");
        try (IngestedUpload upload = ingest(ROOMY, Optional.empty(), tarGz)) {
            assertThat(upload.detection().mainFile()).isEqualTo("savedmodel/typed/saved_model.pb");
            assertThat(upload.record("tf", 1, NOW, ModelSettings.DEFAULTS).files()).extracting(StoredFile::path)
                    .contains("savedmodel/typed/saved_model.pb").noneMatch(p -> p.endsWith(".tar.gz"));
        }
    }

    @Test
    void aFailedIngestLeavesNothingStaged() throws Exception {
        Path garbage = Files.writeString(root.resolve("model.onnx"), "hello, world");

        assertThat(refusal(ROOMY, Optional.empty(), garbage).type()).isEqualTo(ProblemType.NOT_A_MODEL);
        assertThat(refusal(100, Optional.empty(), ADD_MUL).type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(refusal(ROOMY, Optional.empty(), ADD_MUL, ADD_MUL).type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(refusal(ROOMY, Optional.empty(), WEIGHTS).type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void aPartThatBreaksOffIsMalformedAndLeavesNothing() throws Exception {
        UploadPart broken = new UploadPart("model.onnx", () -> {
            throw new IOException("connection reset");
        });
        UploadIngest ingest = uploadIngest(ROOMY);

        PlugboardException e = catchThrowableOfType(PlugboardException.class, () -> ingest.ingest(
                new UploadRequest("m", null, List.of(broken), ModelSettings.DEFAULTS), Optional.empty()));

        assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(e.getMessage()).contains("'model.onnx'", "connection reset");
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void weightsAloneTakeTheServingVersionsGraph() throws Exception {
        Path previous = Files.createDirectories(root.resolve("previous"));
        Files.copy(AFFINE, previous.resolve("affine.onnx"));
        Files.writeString(previous.resolve("old.safetensors"), "not copied");
        PreviousVersion base = new PreviousVersion("m", "onnx", previous, List.of(
                new StoredFile("affine.onnx", Files.size(AFFINE), sha256(AFFINE)),
                new StoredFile("old.safetensors", 10, "00")));

        try (IngestedUpload upload = ingest(ROOMY, Optional.of(base), WEIGHTS)) {
            assertThat(upload.detection().format()).isEqualTo(ModelFormat.ONNX);
            assertThat(upload.detection().mainFile()).isEqualTo("affine.onnx");
            Path staged = upload.source(ModelSettings.DEFAULTS).directory();
            assertThat(staged.resolve("affine.onnx")).hasSameBinaryContentAs(AFFINE);
            assertThat(staged.resolve("weights.safetensors")).hasSameBinaryContentAs(WEIGHTS);
            assertThat(staged.resolve("old.safetensors")).doesNotExist();

            StoredModelRecord record = upload.record("m", 2, NOW, ModelSettings.DEFAULTS);
            assertThat(record.files()).extracting(StoredFile::path)
                    .containsExactlyInAnyOrder("affine.onnx", "weights.safetensors");
            assertThat(record.sha256()).isEqualTo(sha256(("affine.onnx " + sha256(AFFINE) + "\n"
                    + "weights.safetensors " + sha256(WEIGHTS) + "\n").getBytes(StandardCharsets.UTF_8)));
            assertThat(record.sizeBytes()).isEqualTo(Files.size(AFFINE) + Files.size(WEIGHTS));
        }
    }

    @Test
    void weightsForAModelWithNoServingVersionAreNotReady() throws Exception {
        PlugboardException e = refusal(ROOMY, Optional.of(PreviousVersion.noneServing("m")), WEIGHTS);

        assertThat(e.type()).isEqualTo(ProblemType.MODEL_NOT_READY);
        assertThat(e.getMessage()).contains("'m'");
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void weightsForAModelOfAnotherFormatAreUnsupported() throws Exception {
        PreviousVersion tflite = new PreviousVersion("m", "tflite", Files.createDirectories(root.resolve("p")),
                List.of(new StoredFile("model.tflite", 4, "00")));

        PlugboardException e = refusal(ROOMY, Optional.of(tflite), WEIGHTS);

        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(e.properties()).containsEntry("format", "safetensors");
        assertThat(e.getMessage()).contains("'m' is tflite");
        assertThat(stagingLeft()).isEmpty();
    }

    @Test
    void aPartAlreadyOnDiskIsMovedIntoStagingNotCopied() throws Exception {
        Path held = Files.copy(ADD_MUL, Files.createDirectories(root.resolve("staging")).resolve("upload_part.tmp"));
        Object inode = Files.getAttribute(held, "unix:ino");
        UploadPart part = new UploadPart("add_mul.onnx", () -> {
            throw new AssertionError("a part on disk is not read through a stream");
        }, Optional.of(target -> Files.move(held, target)));

        try (IngestedUpload upload = uploadIngest(ROOMY).ingest(new UploadRequest("m", null, List.of(part),
                ModelSettings.DEFAULTS), Optional.empty())) {
            Path staged = upload.source(ModelSettings.DEFAULTS).mainPath();
            assertThat(Files.getAttribute(staged, "unix:ino")).as("the same file, renamed").isEqualTo(inode);
            assertThat(held).doesNotExist();
            assertThat(upload.record("m", 1, NOW, ModelSettings.DEFAULTS).sha256()).isEqualTo(sha256(ADD_MUL));
        }
    }

    @Test
    void aMovedPartPastTheLimitIsRefusedAndRemoved() throws Exception {
        Path held = Files.copy(ADD_MUL, Files.createDirectories(root.resolve("staging")).resolve("upload_big.tmp"));
        UploadPart part = new UploadPart("add_mul.onnx", () -> Files.newInputStream(held),
                Optional.of(target -> Files.move(held, target)));
        PlugboardException e = catchThrowableOfType(PlugboardException.class, () -> uploadIngest(16)
                .ingest(new UploadRequest("m", null, List.of(part), ModelSettings.DEFAULTS), Optional.empty()).close());
        assertThat(e.type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(stagingLeft()).isEmpty();
    }

    private IngestedUpload ingest(long maxBytes, Optional<PreviousVersion> previous, Path... files) {
        List<UploadPart> parts = Stream.of(files)
                .map(f -> new UploadPart(f.getFileName().toString(), () -> Files.newInputStream(f))).toList();
        return uploadIngest(maxBytes).ingest(new UploadRequest("m", null, parts, ModelSettings.DEFAULTS), previous);
    }

    private UploadIngest uploadIngest(long maxBytes) {
        return new UploadIngest(store, new FormatPolicy(new FormatDetector(), BACKENDS), List.of(new WeightsOverGraph(),
                new SavedModelArchive(new SafeExtractor(new ArchiveLimits(1000, 1 << 30)))), maxBytes);
    }

    private PlugboardException refusal(long maxBytes, Optional<PreviousVersion> previous, Path... files) {
        PlugboardException e = catchThrowableOfType(PlugboardException.class,
                () -> ingest(maxBytes, previous, files).close());
        assertThat(e).isNotNull();
        return e;
    }

    /** A slim build has no TensorFlow backend, and refuses SavedModels before they are unpacked. */
    private static void requireTensorFlowInBuild() {
        assumeTrue(BACKENDS.find(ModelFormat.TF_SAVEDMODEL).isPresent(), "no TensorFlow in this build");
    }

    private List<Path> stagingLeft() throws IOException {
        try (Stream<Path> left = Files.list(root.resolve("staging"))) {
            return left.toList();
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
