package io.plugboard.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeExtractorTest {

    private static final ArchiveLimits ROOMY = new ArchiveLimits(100, 1 << 20);

    @TempDir
    Path tmp;

    private Path target;

    /** A tar member: its header and, for regular files, its bytes (null otherwise). */
    private record Member(TarArchiveEntry header, byte[] data) {
    }

    @BeforeEach
    void createTarget() throws IOException {
        target = Files.createDirectory(tmp.resolve("target"));
    }

    @Test
    void zipExtractsEveryFileWithItsBytes() throws IOException {
        byte[] weights = randomBytes(200_000);
        Path archive = zip(Map.of("model.onnx", weights, "sub/dir/labels.txt", utf8("cat\ndog\n")));

        new SafeExtractor(ROOMY).extract(archive, target);

        assertThat(contents()).containsExactly("model.onnx", "sub/dir/labels.txt");
        assertThat(Files.readAllBytes(target.resolve("model.onnx"))).isEqualTo(weights);
        assertThat(Files.readString(target.resolve("sub/dir/labels.txt"))).isEqualTo("cat\ndog\n");
    }

    @Test
    void tarGzExtractsFilesAndDirectories() throws IOException {
        byte[] weights = randomBytes(70_000);
        Path archive = tarGz(new Member(new TarArchiveEntry("saved/variables/"), null),
                regular("saved/saved_model.pb", weights), regular("./saved/readme", utf8("hi")));

        new SafeExtractor(ROOMY).extract(archive, target);

        assertThat(contents()).containsExactly("saved/readme", "saved/saved_model.pb");
        assertThat(target.resolve("saved/variables")).isEmptyDirectory();
        assertThat(Files.readAllBytes(target.resolve("saved/saved_model.pb"))).isEqualTo(weights);
        assertThat(Files.readString(target.resolve("saved/readme"))).isEqualTo("hi");
    }

    @Test
    void exactlyTheLimitsAreAccepted() throws IOException {
        Path archive = zip(Map.of("a", new byte[600], "b", new byte[400]));

        new SafeExtractor(new ArchiveLimits(2, 1000)).extract(archive, target);

        assertThat(contents()).containsExactly("a", "b");
        assertThat(Files.size(target.resolve("a")) + Files.size(target.resolve("b"))).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "..\\x", "a/..", "/x", "/etc/x", "C:/x", "c:\\x"})
    void entriesThatEscapeAreRefusedBeforeAnythingIsWritten(String name) throws IOException {
        for (Path archive : List.of(zip(Map.of(name, utf8("evil"))), tarGz(regular(name, utf8("evil"))))) {
            PlugboardException e = refused(ROOMY, archive);

            assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_ARCHIVE);
            assertThat(e.type().status()).isEqualTo(422);
            assertThat(e.getMessage()).containsAnyOf("'" + name + "'", "'" + name.replace('\\', '/') + "'")
                    .containsAnyOf("climbs out", "absolute path");
            assertThat(contents()).isEmpty();
            assertThat(tmp.resolve("x")).doesNotExist();
        }
    }

    @ParameterizedTest
    @ValueSource(bytes = {TarConstants.LF_SYMLINK, TarConstants.LF_LINK, TarConstants.LF_CHR,
            TarConstants.LF_BLK, TarConstants.LF_FIFO})
    void tarLinksDevicesAndPipesAreRefused(byte type) throws IOException {
        TarArchiveEntry special = new TarArchiveEntry("special", type);
        special.setLinkName("/etc/passwd");

        PlugboardException e = refused(ROOMY, tarGz(regular("ok.txt", utf8("ok")), new Member(special, null)));

        assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_ARCHIVE);
        assertThat(e.getMessage()).contains("'special'")
                .containsAnyOf("is a link (to '/etc/passwd')", "is a device or pipe");
        assertThat(target.resolve("special")).doesNotExist();
    }

    @Test
    void zipSymlinkIsRefused() throws IOException {
        Path archive = tmp.resolve("link.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(archive)) {
            ZipArchiveEntry link = new ZipArchiveEntry("link");
            link.setUnixMode(0120777);
            out.putArchiveEntry(link);
            out.write(utf8("/etc/passwd"));
            out.closeArchiveEntry();
        }

        PlugboardException e = refused(ROOMY, archive);

        assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_ARCHIVE);
        assertThat(e.getMessage()).contains("symbolic link");
    }

    @Test
    void tarEntryRepeatedIsRefused() throws IOException {
        PlugboardException e = refused(ROOMY, tarGz(regular("a", utf8("1")), regular("a", utf8("2"))));

        assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_ARCHIVE);
        assertThat(e.getMessage()).contains("'a' twice");
        assertThat(Files.readString(target.resolve("a"))).isEqualTo("1");
    }

    @Test
    void tooManyEntriesAreRefusedWith413() throws IOException {
        Path archive = zip(Map.of("a", utf8("a"), "b", utf8("b"), "c", utf8("c")));

        PlugboardException e = refused(new ArchiveLimits(2, 1 << 20), archive);

        assertThat(e.type()).isEqualTo(ProblemType.ARCHIVE_TOO_LARGE);
        assertThat(e.type().status()).isEqualTo(413);
        assertThat(e.properties()).containsEntry("limitEntries", 2);
        assertThat(contents()).as("a zip is refused for what its directory declares, before any entry").isEmpty();
    }

    @Test
    void compressionBombIsStoppedAtTheByteLimit() throws IOException {
        long limit = 1 << 20;
        Path archive = zip(Map.of("bomb.bin", new byte[16 << 20]));
        assertThat(Files.size(archive)).isLessThan(64 * 1024);

        PlugboardException e = refused(new ArchiveLimits(100, limit), archive);

        assertThat(e.type()).isEqualTo(ProblemType.ARCHIVE_TOO_LARGE);
        assertThat(e.properties()).containsEntry("limitBytes", limit);
        assertThat(Files.size(target.resolve("bomb.bin"))).isLessThanOrEqualTo(limit);
    }

    @Test
    void byteLimitCountsAllEntriesTogether() throws IOException {
        Path archive = tarGz(regular("a", new byte[400]), regular("b", new byte[400]), regular("c", new byte[400]));

        PlugboardException e = refused(new ArchiveLimits(100, 1000), archive);

        assertThat(e.type()).isEqualTo(ProblemType.ARCHIVE_TOO_LARGE);
        assertThat(e.getMessage()).contains("1000 bytes");
    }

    @Test
    void emptyArchiveIsNotAModel() throws IOException {
        assertThat(refused(ROOMY, zip(Map.of())).type()).isEqualTo(ProblemType.NOT_A_MODEL);
    }

    @Test
    void truncatedTarGzCannotBeRead() throws IOException {
        Path whole = tarGz(regular("model.bin", randomBytes(50_000)));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(tmp.resolve("cut.tar.gz"), Arrays.copyOf(bytes, bytes.length / 2));

        PlugboardException e = refused(ROOMY, cut);

        assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_ARCHIVE);
        assertThat(e.getMessage()).startsWith("The archive could not be read");
    }

    @Test
    void isArchiveRecognisesZipTarGzAndPlainTar() throws IOException {
        assertThat(SafeExtractor.isArchive(zip(Map.of("a", utf8("a"))))).isTrue();
        assertThat(SafeExtractor.isArchive(tarGz(regular("a", utf8("a"))))).isTrue();
        Path plainTar = tmp.resolve("plain.tar");
        writeTar(Files.newOutputStream(plainTar), regular("a", utf8("a")));
        assertThat(SafeExtractor.isArchive(plainTar)).isTrue();
    }

    @Test
    void isArchiveRejectsOtherFiles() throws IOException {
        assertThat(SafeExtractor.isArchive(Files.writeString(tmp.resolve("m.json"), "{\"a\": 1}"))).isFalse();
        assertThat(SafeExtractor.isArchive(Files.write(tmp.resolve("pk"), utf8("PK")))).isFalse();
        assertThat(SafeExtractor.isArchive(Files.write(tmp.resolve("empty"), new byte[0]))).isFalse();
        assertThat(SafeExtractor.isArchive(tmp.resolve("missing"))).isFalse();
    }

    private PlugboardException refused(ArchiveLimits limits, Path archive) {
        Throwable thrown = catchThrowable(() -> new SafeExtractor(limits).extract(archive, target));
        assertThat(thrown).isInstanceOf(PlugboardException.class);
        return (PlugboardException) thrown;
    }

    /** Regular files under the target, relative, with forward slashes, sorted. */
    private List<String> contents() throws IOException {
        try (Stream<Path> walk = Files.walk(target)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> target.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    private Path zip(Map<String, byte[]> entries) throws IOException {
        Path file = Files.createTempFile(tmp, "upload", ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : new TreeMap<>(entries).entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return file;
    }

    private Path tarGz(Member... members) throws IOException {
        Path file = Files.createTempFile(tmp, "upload", ".tar.gz");
        writeTar(new GZIPOutputStream(Files.newOutputStream(file)), members);
        return file;
    }

    private static void writeTar(OutputStream sink, Member... members) throws IOException {
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(sink)) {
            for (Member m : members) {
                out.putArchiveEntry(m.header());
                out.write(m.data() == null ? new byte[0] : m.data());
                out.closeArchiveEntry();
            }
        }
    }

    private static Member regular(String name, byte[] data) {
        TarArchiveEntry header = new TarArchiveEntry(name, true);
        header.setSize(data.length);
        return new Member(header, data);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aZipDeclaringMillionsOfEntriesIsRefusedBeforeItsDirectoryIsRead(@TempDir Path dir) throws IOException {
        Path zip = dir.resolve("many.zip");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < 50_000; i++) {
                out.putNextEntry(new java.util.zip.ZipEntry("e" + i));
                out.closeEntry();
            }
        }
        Path target = Files.createDirectory(dir.resolve("out"));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
        assertThatThrownBy(() -> new SafeExtractor(new ArchiveLimits(100, 1 << 20)).extract(zip, target))
                .isInstanceOfSatisfying(PlugboardException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.ARCHIVE_TOO_LARGE);
                    assertThat(e.getMessage()).contains("declares 50000 entries");
                });
        // parsing the 50 000-entry directory would allocate tens of MB
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before;
        assertThat(allocated).as("bytes allocated refusing").isLessThan(2L << 20);
    }
}
