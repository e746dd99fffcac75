package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine cache folder is made and JavaCPP is pointed into it. */
class NativeCacheTest {

    private static final String PROPERTY = "org.bytedeco.javacpp.cachedir";

    @Test
    void prepareMakesTheFoldersAndPointsJavaCppAtThem(@TempDir Path dir) {
        String before = System.getProperty(PROPERTY);
        try {
            NativeCache cache = new NativeCache(dir.resolve("engines"));
            cache.prepare();
            assertThat(cache.djl()).isDirectory();
            assertThat(dir.resolve("engines/javacpp")).isDirectory();
            assertThat(System.getProperty(PROPERTY)).isEqualTo(dir.resolve("engines/javacpp").toAbsolutePath().toString());
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }

    @Test
    void anUnwritableFolderIsReportedByName(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        NativeCache cache = new NativeCache(file);
        org.assertj.core.api.Assertions.assertThatThrownBy(cache::prepare)
                .hasMessageContaining(file.toAbsolutePath().toString());
    }
}
