package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pre-filled cache's units are checked against the build and linked into the writable cache,
 * never written; what does not match, or is incomplete, is left for the engine to unpack. (The
 * engines loading through the links, from a read-only mount: {@link PrefilledEngineCacheTest}.)
 */
class PrefilledCacheTest {

    private static final String JAVACPP = "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so";
    private static final String JAVACPP_UNIT = "javacpp/javacpp-1.5.13-linux-x86_64.jar";
    private static final String C10 = "pytorch/cpu/linux-x86_64/libc10.so";
    private static final String[] PROPERTIES = {"org.bytedeco.javacpp.cachedir",
        "org.bytedeco.javacpp.canCreateSymbolicLink"};

    @TempDir
    Path dir;
    private final String[] saved = new String[PROPERTIES.length];

    @BeforeEach
    void saveProperties() {
        for (int i = 0; i < PROPERTIES.length; i++) {
            saved[i] = System.getProperty(PROPERTIES[i]);
        }
    }

    @AfterEach
    void restoreProperties() {
        for (int i = 0; i < PROPERTIES.length; i++) {
            if (saved[i] == null) {
                System.clearProperty(PROPERTIES[i]);
            } else {
                System.setProperty(PROPERTIES[i], saved[i]);
            }
        }
    }

    private static Path copy(String resource, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        try (InputStream in = PrefilledCacheTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
        return to;
    }

    private static boolean isLink(Path p) {
        return Files.isSymbolicLink(p);
    }

    @Test
    void aUnitMatchingTheBuildIsLinkedIntoTheWritableCacheAndNothingIsWrittenToIt() throws Exception {
        Path prefilled = dir.resolve("prefilled");
        Path library = copy(JAVACPP, prefilled.resolve(JAVACPP_UNIT + "/" + JAVACPP));
        Files.createSymbolicLink(library.resolveSibling("libjnijavacpp.so.1"), Path.of("libjnijavacpp.so"));
        Files.createSymbolicLink(library.resolveSibling("libc.so.6"), Path.of("/etc/passwd"));
        long modified = Files.getLastModifiedTime(library).toMillis();
        Path cache = dir.resolve("cache");

        NativeCache engines = new NativeCache(cache, prefilled);
        assertThat(engines.loadNatives(NativeCache.Natives.TENSORFLOW_LITE, () -> "loaded")).isEqualTo("loaded");

        Path linked = cache.resolve(JAVACPP_UNIT + "/" + JAVACPP);
        assertThat(isLink(linked)).isTrue();
        assertThat(Files.readSymbolicLink(linked)).isEqualTo(library.toRealPath());
        assertThat(Files.readSymbolicLink(linked.resolveSibling("libjnijavacpp.so.1")))
                .as("a link to a sibling is kept as it is").isEqualTo(Path.of("libjnijavacpp.so"));
        assertThat(Files.exists(linked.resolveSibling("libc.so.6"), LinkOption.NOFOLLOW_LINKS))
                .as("a link out of the unit is not carried over").isFalse();
        assertThat(engines.prefilledUnits()).containsExactly(JAVACPP_UNIT + ": linked");
        assertThat(System.getProperty("org.bytedeco.javacpp.canCreateSymbolicLink")).isEqualTo("false");
        assertThat(Files.getLastModifiedTime(library).toMillis()).isEqualTo(modified);
        try (var files = Files.list(prefilled)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("javacpp");
        }

        engines.prepare(); // the check before each engine keeps links to what was checked
        assertThat(isLink(linked)).isTrue();
        assertThat(linked.resolveSibling("libjnijavacpp.so.1")).exists();

        // the next start: the check in main has checked nothing yet and drops the links quietly;
        // the new process links them again once it has checked their targets
        NativeLibraryCheck.Result atStart = new NativeLibraryCheck(cache, prefilled, getClass().getClassLoader())
                .verify();
        assertThat(atStart.removed()).isEmpty();
        assertThat(Files.exists(linked, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(linked.resolveSibling("libjnijavacpp.so.1"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        new NativeCache(cache, prefilled).loadNatives(NativeCache.Natives.OPENCV, () -> null);
        assertThat(isLink(linked)).isTrue();
    }

    @Test
    void aPrefilledLibraryChangedAfterItWasCheckedLosesItsLink() throws Exception {
        Path prefilled = dir.resolve("prefilled");
        Path library = copy(JAVACPP, prefilled.resolve(JAVACPP_UNIT + "/" + JAVACPP));
        Path cache = dir.resolve("cache");
        NativeCache engines = new NativeCache(cache, prefilled);
        engines.loadNatives(NativeCache.Natives.TENSORFLOW, () -> null);
        Path linked = cache.resolve(JAVACPP_UNIT + "/" + JAVACPP);
        assertThat(isLink(linked)).isTrue();

        Files.write(library, new byte[] {0}, StandardOpenOption.APPEND);

        assertThat(engines.loadNatives(NativeCache.Natives.TENSORFLOW, () -> Files.exists(linked,
                LinkOption.NOFOLLOW_LINKS))).as("gone before the engine loads").isFalse();
    }

    @Test
    void aChangedOrIncompleteUnitIsLeftForTheEngineToUnpack() throws Exception {
        Path prefilled = dir.resolve("prefilled");
        Path library = copy(JAVACPP, prefilled.resolve(JAVACPP_UNIT + "/" + JAVACPP));
        byte[] bytes = Files.readAllBytes(library);
        bytes[bytes.length / 2] ^= 1;
        Files.write(library, bytes);
        String torchUnit = "djl/pytorch/2.7.1-20250812-cpu-linux-x86_64";
        copy(C10, prefilled.resolve(torchUnit + "/libc10.so"));
        Files.writeString(prefilled.resolve("javacpp/stray.so"), "not a unit");
        Path cache = dir.resolve("cache");

        NativeCache engines = new NativeCache(cache, prefilled);
        engines.loadNatives(NativeCache.Natives.PYTORCH, () -> null);
        engines.loadNatives(NativeCache.Natives.TENSORFLOW, () -> null);

        assertThat(engines.prefilledUnits()).containsExactly(
                torchUnit + ": not used, incomplete: libgomp-98b21ff3.so.1 is missing",
                JAVACPP_UNIT + ": not used, " + JAVACPP_UNIT + "/" + JAVACPP + " differs from " + JAVACPP
                        + " in the build");
        assertThat(cache.resolve(torchUnit)).doesNotExist();
        assertThat(cache.resolve(JAVACPP_UNIT)).doesNotExist();
        assertThat(library).content().isNotEmpty(); // untouched: never removed from a pre-filled cache
    }

    @Test
    void aMissingPrefilledCacheOrTheCacheItselfIsIgnored() {
        assertThat(new NativeCache(dir.resolve("cache"), dir.resolve("nowhere")).prefilled()).isNull();
        assertThat(new NativeCache(dir.resolve("cache"), dir.resolve("cache/../cache")).prefilled()).isNull();
        assertThat(new NativeCache(dir.resolve("cache"), dir).prefilled()).isEqualTo(PrefilledCache.realPath(dir));
    }
}
