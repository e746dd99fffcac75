package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's arrangement, with real server processes: a warm-up run fills an engine cache the way
 * the image build does; that cache is then mounted read-only (a bind mount in a mount namespace of
 * the server's own, where the machine allows one) and given as {@code plugboard.engines.prefilled-dir},
 * beside an empty writable {@code cache-dir}. A model of every engine (PyTorch, TensorFlow, TFLite,
 * OpenCV, MXNet) loads and answers its reference case with nothing unpacked: the writable cache
 * holds links only, the server maps its libraries from the pre-filled cache, and the pre-filled
 * cache is left exactly as it was. A pre-filled cache lacking a library, or holding a changed one, is
 * passed over for those parts only, which the engines unpack into the writable cache.
 */
class PrefilledEngineCacheTest {

    private static final Path MODELS = Path.of("src/test/resources/models");

    @TempDir
    static Path dir;
    private static Path prefilled;

    /** One model per engine, its files, upload fields and reference cases. */
    private record Model(String name, List<Path> files, Map<String, String> fields, Path cases) {
    }

    private static List<Model> models() throws IOException {
        Path ts = MODELS.resolve("torchscript");
        Path cv = MODELS.resolve("opencv");
        Path mx = MODELS.resolve("mxnet");
        return List.of(
                new Model("torch", List.of(ts.resolve("linear.pt")),
                        Map.of("signature", Files.readString(ts.resolve("linear.signature.json"))),
                        ts.resolve("linear.cases.json")),
                new Model("saved", List.of(MODELS.resolve("savedmodel/affine.zip")), Map.of(),
                        MODELS.resolve("savedmodel/affine.cases.json")),
                new Model("lite", List.of(MODELS.resolve("tflite/arith.tflite")), Map.of(),
                        MODELS.resolve("tflite/arith.cases.json")),
                new Model("darknet", List.of(cv.resolve("tiny.cfg"), cv.resolve("tiny.weights")), Map.of(),
                        cv.resolve("darknet.cases.json")),
                new Model("mx", List.of(mx.resolve("tiny-symbol.json"), mx.resolve("tiny-0000.params")), Map.of(),
                        mx.resolve("tiny.cases.json")));
    }

    /** The image build's warm-up: every engine unpacks into what becomes the pre-filled cache. */
    @BeforeAll
    static void fillLikeTheImageBuild() throws Exception {
        prefilled = dir.resolve("prefilled");
        Path tmp = Files.createDirectories(dir.resolve("warm-tmp"));
        ServerProcess warm = ServerProcess.start(dir.resolve("warm.log"), List.of("-Djava.io.tmpdir=" + tmp),
                "--plugboard.engines.warm-and-exit=true", "--plugboard.engines.cache-dir=" + prefilled,
                "--plugboard.store.path=" + dir.resolve("warm-store"));
        assertThat(warm.awaitExit(900)).as("the warm-up run ends by itself").isTrue();
        assertThat(warm.process().exitValue()).as(warm.log()).isZero();
        assertThat(prefilled.resolve("djl/pytorch")).isDirectory();
        assertThat(prefilled.resolve("javacpp")).isDirectory();
    }

    @Test
    void everyEngineServesFromAReadOnlyPrefilledCacheWithNothingUnpacked() throws Exception {
        Path cache = dir.resolve("cache-full");
        Map<String, String> before = snapshot(prefilled);
        try (ServerProcess server = start("full", prefilled, cache)) {
            Http http = server.http();
            for (Model model : models()) {
                uploadAndAnswer(http, model);
            }
            String maps = mappedFiles(server.process());
            assertThat(maps).as("libraries mapped from the pre-filled cache")
                    .contains(prefilled.toRealPath() + "/djl/pytorch/")
                    .contains(prefilled.toRealPath() + "/djl/mxnet/")
                    .contains(prefilled.toRealPath() + "/javacpp/tensorflow-core-native-")
                    .contains(prefilled.toRealPath() + "/javacpp/tensorflow-lite-")
                    .contains(prefilled.toRealPath() + "/javacpp/opencv-");
            assertThat(maps).as("nothing mapped from the writable cache").doesNotContain(cache.toString());
            assertThat(server.log()).doesNotContain("is not used").doesNotContain("Extracting");
        }

        assertThat(snapshot(prefilled)).as("the pre-filled cache is only read").isEqualTo(before);
        List<Path> regular = new ArrayList<>();
        List<Path> links = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(cache)) {
            walk.forEach(p -> {
                if (Files.isSymbolicLink(p)) {
                    links.add(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    regular.add(p);
                }
            });
        }
        assertThat(regular).as("no library unpacked into the writable cache")
                .allSatisfy(p -> assertThat(p.getFileName().toString())
                        .isIn(NativeLibraryCheck.RECORD, ".lock"));
        assertThat(links).as("links to the pre-filled libraries").hasSizeGreaterThan(20)
                .allSatisfy(l -> assertThat(l.toRealPath()).startsWith(prefilled.toRealPath()));
    }

    @Test
    void aPrefilledCacheLackingOrChangingALibraryIsPassedOverForThatPartOnly() throws Exception {
        Path partial = dir.resolve("partial");
        hardLinkTree(prefilled, partial);
        Path torch = onlyChild(partial.resolve("djl/pytorch"));
        Files.delete(torch.resolve("libc10.so"));
        Path lite;
        try (Stream<Path> walk = Files.walk(partial.resolve("javacpp"))) {
            lite = walk.filter(p -> p.getFileName().toString().equals("libjnitensorflowlite.so")).findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(lite);
        bytes[bytes.length / 2] ^= 1;
        Files.delete(lite); // a link to the first cache's file: replaced, not written through
        Files.write(lite, bytes);
        Map<String, String> before = snapshot(partial);

        Path cache = dir.resolve("cache-partial");
        try (ServerProcess server = start("partial", partial, cache)) {
            Http http = server.http();
            for (Model model : models()) {
                if (List.of("torch", "lite", "darknet").contains(model.name())) {
                    uploadAndAnswer(http, model);
                }
            }
            assertThat(server.log()).contains("is not used (incomplete: libc10.so is missing)")
                    .contains("is not used (" + partial.toRealPath().relativize(lite.toRealPath())
                            + " differs from org/bytedeco/tensorflowlite/linux-x86_64/libjnitensorflowlite.so");
        }

        assertThat(snapshot(partial)).as("the pre-filled cache is only read").isEqualTo(before);
        Path unpackedTorch = cache.resolve(partial.relativize(torch));
        assertThat(unpackedTorch.resolve("libtorch_cpu.so")).as("PyTorch unpacked whole").isRegularFile()
                .satisfies(p -> assertThat(Files.isSymbolicLink(p)).isFalse());
        Path unpackedLite = cache.resolve(partial.relativize(lite));
        assertThat(Files.isSymbolicLink(unpackedLite)).isFalse();
        assertThat(unpackedLite).isRegularFile();
        try (Stream<Path> walk = Files.walk(cache.resolve("javacpp"))) {
            assertThat(walk.filter(p -> p.toString().contains("/opencv-") && p.getFileName().toString()
                    .startsWith("libopencv_dnn.so.")).toList())
                    .as("OpenCV's unit was whole: linked").singleElement()
                    .satisfies(p -> assertThat(Files.isSymbolicLink(p)).isTrue());
        }
    }

    private static void uploadAndAnswer(Http http, Model model) {
        Map<String, String> fields = new LinkedHashMap<>(model.fields());
        fields.put("name", model.name());
        Http.Reply created = http.upload(fields, model.files().stream().map(Http.Part::of).toList());
        assertThat(created.status()).as(model.name() + ": " + created).isEqualTo(201);
        Cases.Case c = Cases.of(model.cases()).get(0);
        Http.Reply answer = http.postJson("/v2/models/" + model.name() + "/infer", c.request());
        assertThat(answer.status()).as(model.name() + ": " + answer).isEqualTo(200);
        Cases.assertOutputs(answer.json(), c.outputs(), 1e-4, 1e-5);
    }

    /**
     * A server with the pre-filled cache mounted read-only in a mount namespace of its own where the
     * machine lets one be made (as root with unshare), else as it is (then only the snapshot
     * comparison shows nothing was written).
     */
    private static ServerProcess start(String name, Path prefilledDir, Path cache) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve(name + "-tmp"));
        List<String> launcher = List.of();
        if (readOnlyMountsWork()) {
            String p = prefilledDir.toRealPath().toString();
            launcher = List.of("unshare", "-m", "sh", "-c", "mount --bind '" + p + "' '" + p
                    + "' && mount -o remount,bind,ro '" + p + "' && exec \"$@\"", "sh");
        }
        return ServerProcess.start(dir.resolve(name + ".log"), launcher,
                List.of("-Djava.io.tmpdir=" + tmp, "-Dlogging.level.io.plugboard.backend=INFO"),
                "--plugboard.store.path=" + dir.resolve(name + "-store"),
                "--plugboard.engines.cache-dir=" + cache,
                "--plugboard.engines.prefilled-dir=" + prefilledDir).awaitReady();
    }

    private static Boolean readOnlyMounts;

    private static synchronized boolean readOnlyMountsWork() throws Exception {
        if (readOnlyMounts == null) {
            Path probe = Files.createDirectories(dir.resolve("mount-probe"));
            String p = probe.toRealPath().toString();
            Process test = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount --bind '" + p + "' '" + p
                    + "' && mount -o remount,bind,ro '" + p + "' && ! touch '" + p + "/x' 2>/dev/null")
                    .redirectErrorStream(true).start();
            test.getInputStream().readAllBytes();
            readOnlyMounts = test.waitFor(30, TimeUnit.SECONDS) && test.exitValue() == 0;
        }
        return readOnlyMounts;
    }

    /** Every file's kind, size, modification and change time, inode and link target. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,ino,mode",
                        LinkOption.NOFOLLOW_LINKS);
                files.put(root.relativize(p).toString(), a.get("size") + " " + a.get("lastModifiedTime") + " "
                        + a.get("ctime") + " " + a.get("ino") + " " + a.get("mode")
                        + (Files.isSymbolicLink(p) ? " -> " + Files.readSymbolicLink(p) : ""));
            }
        }
        return files;
    }

    /** The files mapped into the server and the processes it started (the confined restart). */
    private static String mappedFiles(Process process) throws IOException {
        StringBuilder maps = new StringBuilder();
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        for (ProcessHandle h : all) {
            Path file = Path.of("/proc", Long.toString(h.pid()), "maps");
            if (Files.isReadable(file)) {
                try {
                    maps.append(Files.readString(file));
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        return maps.toString();
    }

    /** A copy of the tree whose files are hard links to the original's (links are copied as links). */
    private static void hardLinkTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createLink(target, p);
                }
            }
        }
    }

    private static Path onlyChild(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            List<Path> children = list.toList();
            assertThat(children).hasSize(1);
            return children.get(0);
        }
    }
}
