package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine cache holding the build's real libraries (copied from the class path), beside tampered,
 * planted and linked files: what is the build's stays, the rest goes before any engine loads it.
 */
class NativeLibraryCheckTest {

    private static final String JAVACPP = "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so";
    private static final String C10 = "pytorch/cpu/linux-x86_64/libc10.so";

    private static Path copy(String resource, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        try (InputStream in = NativeLibraryCheckTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
        return to;
    }

    private static NativeLibraryCheck.Result verify(Path cache) {
        return new NativeLibraryCheck(cache, NativeLibraryCheckTest.class.getClassLoader()).verify();
    }

    @Test
    void theBuildsLibrariesStayAndEverythingElseGoes(@TempDir Path cache) throws Exception {
        Path javacpp = copy(JAVACPP, cache.resolve("javacpp/javacpp-1.5.13-linux-x86_64.jar/" + JAVACPP));
        Path folder = javacpp.getParent();
        Path alias = Files.copy(javacpp, folder.resolve("libjnijavacpp_alias.so.0"));
        Path tampered = copy(JAVACPP, folder.resolve("libjnijavacpp_tampered.so"));
        byte[] bytes = Files.readAllBytes(tampered);
        bytes[bytes.length / 2] ^= 1;
        Files.write(tampered, bytes);
        Path planted = Files.writeString(cache.resolve("javacpp/evil.so"), "\u007fELF");
        Path inside = Files.createSymbolicLink(folder.resolve("libjnijavacpp.so.1"), javacpp.getFileName());
        Path outside = Files.createSymbolicLink(folder.resolve("libc.so.6"), Path.of("/etc/passwd"));
        Path torch = copy(C10, cache.resolve("djl/pytorch/2.7.1-20250812-cpu-linux-x86_64/libc10.so"));

        NativeLibraryCheck.Result first = verify(cache);

        assertThat(javacpp).exists();
        assertThat(alias).as("JavaCPP's copy of a checked library under another name").exists();
        assertThat(inside).exists();
        assertThat(torch).exists();
        assertThat(tampered).doesNotExist();
        assertThat(planted).doesNotExist();
        assertThat(Files.exists(outside, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(first.removed()).hasSize(3);
        assertThat(cache.resolve(NativeLibraryCheck.RECORD)).content().contains("libc10.so=");

        NativeLibraryCheck.Result second = verify(cache);
        assertThat(second.readAgain()).as("unchanged files are not read again").isZero();
        assertThat(second.removed()).isEmpty();

        Files.write(javacpp, Files.readAllBytes(javacpp)); // same bytes, but written: read again
        NativeLibraryCheck.Result third = verify(cache);
        assertThat(third.readAgain()).isEqualTo(1);
        assertThat(javacpp).exists();
    }

    @Test
    void aChangedDjlLibraryTakesItsEngineFolderWithIt(@TempDir Path cache) throws Exception {
        Path folder = cache.resolve("djl/pytorch/2.7.1-20250812-cpu-linux-x86_64");
        Path torch = copy(C10, folder.resolve("libc10.so"));
        assertThat(verify(cache).removed()).isEmpty();
        Files.writeString(torch, "replaced", java.nio.file.StandardOpenOption.APPEND);
        NativeLibraryCheck.Result result = verify(cache);
        assertThat(result.removed()).singleElement().asString().contains("libc10.so", "differs from " + C10);
        assertThat(folder).as("DJL unpacks all or nothing: it unpacks the folder again").doesNotExist();
    }

    @Test
    void aLibraryChangedWhileTheServerRunsIsRemovedBeforeTheNextEngineLoads(@TempDir Path root) throws Exception {
        NativeCache cache = new NativeCache(root);
        Path library = copy(JAVACPP, root.resolve("javacpp/javacpp-1.5.13-linux-x86_64.jar/" + JAVACPP));
        cache.prepare();
        assertThat(library).exists();
        Files.write(library, new byte[] {0x7f, 'E', 'L', 'F'}); // what a hostile model would write
        assertThat(cache.loadNatives(() -> Files.exists(library))).as("checked before the engine's load runs")
                .isFalse();
    }

    @Test
    void cacheFilesMapToTheResourcesTheyWereUnpackedFrom() {
        assertThat(NativeLibraryCheck.resourceFor("javacpp/opencv-4.13.0-1.5.13-linux-x86_64.jar/org/bytedeco/opencv/"
                + "linux-x86_64/libopencv_dnn.so.413")).contains("org/bytedeco/opencv/linux-x86_64/libopencv_dnn.so.413");
        assertThat(NativeLibraryCheck.resourceFor("djl/pytorch/2.7.1-20250812-cpu-linux-x86_64/0.35.1-libdjl_torch.so"))
                .contains("jnilib/linux-x86_64/cpu/libdjl_torch.so");
        assertThat(NativeLibraryCheck.resourceFor("djl/pytorch/2.7.1-20250812-cu124-linux-x86_64/libtorch_cuda.so"))
                .contains("pytorch/cu124/linux-x86_64/libtorch_cuda.so");
        assertThat(NativeLibraryCheck.resourceFor("djl/mxnet/1.9.1-20220812-mkl-linux-x86_64/libmxnet.so"))
                .contains("native/lib/libmxnet.so");
        assertThat(NativeLibraryCheck.resourceFor("djl/other/x/y.so")).isEmpty();
        assertThat(NativeLibraryCheck.resourceFor("stray.so")).isEmpty();
    }
}
