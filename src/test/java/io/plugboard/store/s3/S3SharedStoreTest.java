package io.plugboard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.settings.ModelSettings;
import io.plugboard.store.SharedStore.RecordKey;
import io.plugboard.store.StagedFile;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModelRecord;
import io.plugboard.support.S3Server;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/** The S3 store against a real S3-compatible server: conditional creates, parts, listing, sweeping, outages. */
class S3SharedStoreTest {

    private static final String BUCKET = "models";
    private static S3Server s3;
    private static S3SharedStore store;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(BUCKET);
        store = new S3SharedStore(new S3Location(BUCKET, "/team-a//", s3.endpoint(), null, true),
                JsonMapper.builder().build());
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        s3.close();
    }

    private static StoredModelRecord record(String id, int version, String origin, List<StoredFile> files) {
        return new StoredModelRecord(id, version, "onnx", "model.onnx", "ab", 1, Instant.parse("2026-01-01T00:00:00Z"),
                files, ModelSettings.DEFAULTS, origin);
    }

    @Test
    void aVersionIsCreatedOnceAndRacingReplicasGetOneWinner() throws Exception {
        assertThat(store.create(record("once", 1, "o1", List.of()))).isPresent();
        assertThat(store.create(record("once", 1, "o2", List.of()))).isEmpty();
        assertThat(store.read("once", 1).orElseThrow().origin()).isEqualTo("o1");

        int racers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < 15; round++) {
                String id = "race-" + round;
                CyclicBarrier start = new CyclicBarrier(racers);
                List<Future<Optional<String>>> results = new ArrayList<>();
                for (int r = 0; r < racers; r++) {
                    String origin = "origin-" + r;
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.create(record(id, 1, origin, List.of()));
                    }));
                }
                int winners = 0;
                for (Future<Optional<String>> f : results) {
                    winners += f.get().isPresent() ? 1 : 0;
                }
                assertThat(winners).as("winners of round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void largeFilesGoUpInPartsAndComeBackIdentical() throws Exception {
        Path big = temp.resolve("weights.bin");
        byte[] block = new byte[1 << 20];
        new Random(7).nextBytes(block);
        try (var out = Files.newOutputStream(big)) {
            for (int i = 0; i < 40; i++) { // 40 MiB: three parts
                block[0] = (byte) i;
                out.write(block);
            }
        }
        Path small = temp.resolve("model.onnx");
        Files.writeString(small, "graph");
        List<StagedFile> files = List.of(staged("sub/weights.bin", big), staged("model.onnx", small));
        store.putFiles("big", "u1", files);

        for (StagedFile f : files) {
            try (InputStream in = store.open("big", "u1", f.name())) {
                assertThat(sha256(in)).isEqualTo(f.sha256());
            }
        }
        try (S3Client client = s3.client()) {
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("team-a/files/big/u1/")).contents())
                    .extracting(o -> o.key())
                    .containsExactlyInAnyOrder("team-a/files/big/u1/sub/weights.bin", "team-a/files/big/u1/model.onnx");
            assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
        }
        store.deleteFiles("big", "u1");
        try (S3Client client = s3.client()) {
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("team-a/files/big/")).contents()).isEmpty();
        }
    }

    @Test
    void recordsAreListedByKeyAndAnythingElseIsIgnored() {
        store.create(record("listed", 1, "a", List.of()));
        store.create(record("listed", 2, "b", List.of()));
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(BUCKET).key("team-a/models/listed/notes.json"), RequestBody.fromString("{}"));
            client.putObject(b -> b.bucket(BUCKET).key("team-a/models/listed/3.json"), RequestBody.fromString("not json"));
            client.putObject(b -> b.bucket(BUCKET).key("team-a/models/Bad Name/1.json"), RequestBody.fromString("{}"));
        }
        assertThat(store.records("listed")).containsOnlyKeys(1, 2, 3);

        assertThat(store.records()).containsKeys(new RecordKey("listed", 1), new RecordKey("listed", 2))
                .doesNotContainKey(new RecordKey("Bad Name", 1));
        assertThat(store.read("listed", 3)).as("an unreadable record").isEmpty();
        try (S3Client client = s3.client()) {
            // a valid record padded with whitespace: read whole, it would parse
            byte[] valid = JsonMapper.builder().build().writeValueAsBytes(record("listed", 4, "o4", List.of()));
            byte[] huge = new byte[S3SharedStore.MAX_RECORD_BYTES + 10];
            java.util.Arrays.fill(huge, (byte) ' ');
            System.arraycopy(valid, 0, huge, 0, valid.length);
            client.putObject(b -> b.bucket(BUCKET).key("team-a/models/listed/4.json"), RequestBody.fromBytes(huge));
        }
        assertThat(store.read("listed", 4)).as("a record past the size bound is not read whole").isEmpty();
        assertThat(store.read("listed", 9)).isEmpty();
        store.deleteRecord("listed", 2);
        assertThat(store.records("listed")).containsOnlyKeys(1, 3, 4);
    }

    @Test
    void sweepingRemovesOnlyUnreferencedLeftoversOlderThanTheCutoff() throws Exception {
        Path file = temp.resolve("f.bin");
        Files.writeString(file, "bytes");
        store.putFiles("swept", "kept", List.of(staged("f.bin", file)));
        store.putFiles("swept", "orphan", List.of(staged("f.bin", file)));
        String uploadId;
        try (S3Client client = s3.client()) {
            uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key("team-a/files/swept/stopped/f.bin"))
                    .uploadId();
        }
        assertThat(store.sweep(Instant.now().minusSeconds(3600), Set.of())).as("nothing old enough").isZero();

        int removed = store.sweep(Instant.now().plusSeconds(5), Set.of("kept"));
        assertThat(removed).isGreaterThanOrEqualTo(2);
        try (S3Client client = s3.client()) {
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("team-a/files/swept/")).contents())
                    .extracting(o -> o.key()).containsExactly("team-a/files/swept/kept/f.bin");
            assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads())
                    .extracting(u -> u.uploadId()).doesNotContain(uploadId);
        }
    }

    @Test
    void aStoreThatCannotBeReachedIsStoreUnavailableAndComesBack() throws Exception {
        s3.pause();
        try {
            assertThatThrownBy(store::records).isInstanceOfSatisfying(PlugboardException.class,
                    e -> assertThat(e.type()).isEqualTo(ProblemType.STORE_UNAVAILABLE));
            assertThatThrownBy(() -> store.create(record("down", 1, "x", List.of())))
                    .isInstanceOfSatisfying(PlugboardException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.STORE_UNAVAILABLE));
        } finally {
            s3.resume();
        }
        assertThat(store.create(record("down", 1, "x", List.of()))).isPresent();
    }

    private static StagedFile staged(String name, Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return new StagedFile(name, file, Files.size(file), sha256(in));
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
