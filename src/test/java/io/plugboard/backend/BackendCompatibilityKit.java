package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.api.codec.JsonRequestDecoder;
import io.plugboard.api.codec.JsonResponseEncoder;
import io.plugboard.inference.InferenceJob;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.PinnedCalls;
import io.plugboard.inference.PoolObserver;
import io.plugboard.inference.PoolSettings;
import io.plugboard.inference.InferenceResult;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend must do, checked with its real engine and real model files: load, report its
 * signature, answer reference cases for each datatype its model uses, take a dynamic batch (or
 * refuse one cleanly where shapes are fixed), serve many threads at once, keep serving once its
 * upload folder is gone, close a pool while calls run, unload idle or used, refuse garbage with a
 * 422, and not grow native memory over thousands of calls. Each backend's test extends this kit and
 * declares its model's {@link Capability capabilities}.
 */
public abstract class BackendCompatibilityKit {

    private static final JsonRequestDecoder DECODER = new JsonRequestDecoder(Http.JSON);
    private static final JsonResponseEncoder ENCODER = new JsonResponseEncoder(Http.JSON);

    /** The backend under test (shared by the kit's tests). */
    protected abstract Backend backend();

    /** The reference model: its files and how to load it. */
    protected abstract ModelSource reference();

    /** The reference model's cases file (request + expected outputs). */
    protected abstract Path casesFile();

    /** The signature the reference model must report. */
    protected abstract ModelSignature expectedSignature();

    /** What a backend's reference model can do beyond the basics every backend must. */
    protected enum Capability {
        /** Its first dimension is dynamic: one call can take several requests' rows. */
        DYNAMIC_BATCH
    }

    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.DYNAMIC_BATCH);
    }

    /**
     * The model the native-memory check calls thousands of times. With fixed shapes its inputs
     * cannot be grown to make a leak visible, so a model with large inputs of its own fits best.
     */
    protected ModelSource memoryCheckModel() {
        return reference();
    }

    /** Tolerance for floating-point outputs. */
    protected double rtol() {
        return 1e-5;
    }

    @Test
    void loadsAndReportsItsSignature() {
        try (LoadedModel model = backend().load(reference(), Target.CPU)) {
            assertThat(model.target()).isEqualTo(Target.CPU);
            assertThat(model.signature().inputs()).containsExactlyElementsOf(expectedSignature().inputs());
            assertThat(model.signature().outputs()).containsExactlyElementsOf(expectedSignature().outputs());
        }
    }

    @Test
    void answersEveryReferenceCase() {
        try (LoadedModel model = backend().load(reference(), Target.CPU); ModelInstance instance = model.newInstance()) {
            for (Cases.Case c : Cases.of(casesFile())) {
                check(instance, c);
            }
        }
    }

    @Test
    void takesADynamicBatchOrRefusesOneCleanly() {
        Cases.Case c = Cases.of(casesFile()).get(0);
        InferenceRequest request = decode(c.request());
        Map<String, Tensor> doubled = new LinkedHashMap<>();
        request.inputs().forEach((name, t) -> doubled.put(name, repeatRows(t, 2)));
        try (LoadedModel model = backend().load(reference(), Target.CPU); ModelInstance instance = model.newInstance()) {
            if (!capabilities().contains(Capability.DYNAMIC_BATCH)) {
                // fixed shapes: twice the rows is an engine error the caller can answer, never a crash
                assertThatThrownBy(() -> instance.infer(doubled, outputs(model)))
                        .isInstanceOfSatisfying(PlugboardException.class,
                                e -> assertThat(e.type()).isEqualTo(ProblemType.INFERENCE_FAILED));
                check(instance, c);
                return;
            }
            Map<String, Tensor> single = instance.infer(request.inputs(), outputs(model));
            Map<String, Tensor> twice = instance.infer(doubled, outputs(model));
            assertThat(twice.keySet()).isEqualTo(single.keySet());
            for (String name : single.keySet()) {
                Tensor expected = repeatRows(single.get(name), 2);
                assertThat(twice.get(name).shape()).isEqualTo(expected.shape());
                assertThat(bytes(twice.get(name))).isEqualTo(bytes(expected));
            }
        }
    }

    @Test
    void servesManyThreadsAtOnce() throws Exception {
        List<Cases.Case> cases = Cases.of(casesFile());
        try (LoadedModel model = backend().load(reference(), Target.CPU)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    done.add(pool.submit(() -> {
                        try (ModelInstance instance = model.newInstance()) {
                            for (int i = 0; i < 40; i++) {
                                check(instance, cases.get((i + offset) % cases.size()));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(); // rethrows the first failed check of that thread
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void unloadsIdleAndAfterUseAndLoadsAgain() {
        backend().load(reference(), Target.CPU).close();
        Cases.Case c = Cases.of(casesFile()).get(0);
        LoadedModel used = backend().load(reference(), Target.CPU);
        ModelInstance instance = used.newInstance();
        check(instance, c);
        instance.close();
        used.close();
        try (LoadedModel again = backend().load(reference(), Target.CPU); ModelInstance i2 = again.newInstance()) {
            check(i2, c);
        }
    }

    @Test
    void refusesGarbageWithA422(@TempDir Path dir) throws Exception {
        ModelSource ref = reference();
        Path copy = dir.resolve(ref.mainFile());
        Files.createDirectories(copy.getParent());
        byte[] garbage = new byte[2048];
        new java.util.Random(5).nextBytes(garbage);
        Files.write(copy, garbage);
        ModelSource bad = new ModelSource(dir, ref.mainFile(), ref.format(), ref.options());
        assertThatThrownBy(() -> backend().load(bad, Target.CPU).close())
                .isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED));
    }

    @Test
    void nativeMemoryDoesNotGrowOverThousandsOfCalls() {
        try (LoadedModel model = backend().load(memoryCheckModel(), Target.CPU);
                ModelInstance instance = model.newInstance()) {
            Map<String, Tensor> inputs = memoryCheckInputs(model);
            Set<String> outputs = outputs(model);
            for (int i = 0; i < 1000; i++) {
                instance.infer(inputs, outputs);
            }
            long before = nativeBytes();
            long[] rounds = new long[6];
            for (int r = 0; r < rounds.length; r++) {
                for (int i = 0; i < 500; i++) {
                    instance.infer(inputs, outputs);
                }
                rounds[r] = nativeBytes();
            }
            // a leak grows with every round (a leaked 64 KiB input is 32 MB a round); allocator noise
            // does not: glibc arenas and engine caches step between levels ~50-100 MB apart, once,
            // and stay (the heap is fixed and pre-touched, see the surefire argLine). A leak is
            // growth in most rounds, or growth beyond any such step.
            int growingRounds = 0;
            for (int r = 1; r < rounds.length; r++) {
                growingRounds += rounds[r] - rounds[r - 1] > (8L << 20) ? 1 : 0;
            }
            long growth = rounds[rounds.length - 1] - rounds[0];
            System.out.printf("%s native memory: before %d MB, rounds %s MB%n", getClass().getSimpleName(),
                    before >> 20, java.util.Arrays.toString(java.util.Arrays.stream(rounds).map(x -> x >> 20).toArray()));
            assertThat(growingRounds >= 4 && growth > (64L << 20) || growth > (192L << 20))
                    .as("native memory leaking over 3000 calls: rounds %s",
                            java.util.Arrays.toString(java.util.Arrays.stream(rounds).map(x -> x >> 20).toArray()))
                    .isFalse();
        }
    }

    /**
     * ~64 KiB of input per call where the batch dimension allows, so a leaked tensor per call shows
     * as hundreds of MB; zeros of the model's own fixed shapes otherwise.
     */
    private Map<String, Tensor> memoryCheckInputs(LoadedModel model) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        if (capabilities().contains(Capability.DYNAMIC_BATCH)) {
            decode(Cases.of(casesFile()).get(0).request()).inputs().forEach((name, t) -> inputs.put(name,
                    repeatRows(t, Math.max(1, (int) (16384 / Math.max(1, t.elementCount()))))));
            return inputs;
        }
        for (TensorSpec spec : model.signature().inputs()) {
            int count = (int) java.util.Arrays.stream(spec.shape()).reduce(1, (a, b) -> a * b);
            inputs.put(spec.name(), spec.datatype() == DataType.BYTES
                    ? Tensor.ofBytes(spec.shape(), java.util.Collections.nCopies(count, new byte[0]))
                    : Tensor.of(spec.datatype(), spec.shape(),
                            ByteBuffer.allocate(count * spec.datatype().byteSize()).order(ByteOrder.LITTLE_ENDIAN)));
        }
        return inputs;
    }

    @Test
    void servesAfterItsUploadFolderIsGone(@TempDir Path dir) throws Exception {
        ModelSource original = reference();
        copyTree(original.directory(), dir);
        ModelSource copy = new ModelSource(dir, original.mainFile(), original.format(), original.options());
        try (LoadedModel model = backend().load(copy, Target.CPU)) {
            deleteTree(dir);
            // a pool makes its instances after the upload's staging folder has moved into the store
            try (ModelInstance instance = model.newInstance()) {
                check(instance, Cases.of(casesFile()).get(0));
            }
        }
    }

    @Test
    void closesItsPoolWhileCallsAreRunning() throws Exception {
        Cases.Case c = Cases.of(casesFile()).get(0);
        InferenceRequest request = decode(c.request());
        LoadedModel model = backend().load(reference(), Target.CPU);
        InstancePool pool = new InstancePool("kit", model, new PoolSettings(2, 64, java.time.Duration.ofSeconds(30), 1,
                java.time.Duration.ZERO), System::nanoTime, PoolObserver.NONE, new PinnedCalls(2));
        List<InferenceJob> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(pool.submit(request.inputs(), outputs(model), java.time.Duration.ofSeconds(30)));
        }
        pool.close(java.time.Duration.ofMillis(1)); // drains what runs, fails what still waits
        model.close();
        int answered = 0;
        for (InferenceJob job : jobs) {
            try {
                job.result().get(30, java.util.concurrent.TimeUnit.SECONDS);
                answered++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOfSatisfying(PlugboardException.class,
                        p -> assertThat(p.type()).isEqualTo(ProblemType.MODEL_NOT_READY));
            }
        }
        assertThat(answered).as("calls already running when the pool closed finished").isPositive();
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Set<String> outputs(LoadedModel model) {
        Set<String> names = new LinkedHashSet<>();
        model.signature().outputs().forEach(s -> names.add(s.name()));
        return names;
    }

    private void check(ModelInstance instance, Cases.Case c) {
        InferenceRequest request = decode(c.request());
        Set<String> wanted = new LinkedHashSet<>();
        c.outputs().forEach(o -> wanted.add(o.get("name").asString()));
        Map<String, Tensor> out = instance.infer(request.inputs(), wanted);
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        ENCODER.encode(new InferenceResult("m", "1", null, out), json);
        Cases.assertOutputs(Http.JSON.readTree(json.toString(StandardCharsets.UTF_8)), c.outputs(), rtol(), 1e-6);
    }

    protected static InferenceRequest decode(String json) {
        return DECODER.decode(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), 1 << 24);
    }

    /** A tensor with its rows repeated {@code times} times along the first dimension. */
    protected static Tensor repeatRows(Tensor t, int times) {
        long[] shape = t.shape();
        shape[0] *= times;
        if (t.datatype() == DataType.BYTES) {
            List<byte[]> all = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                all.addAll(t.elements());
            }
            return Tensor.ofBytes(shape, all);
        }
        ByteBuffer out = ByteBuffer.allocate((int) t.byteSize() * times).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < times; i++) {
            out.put(t.data());
        }
        return Tensor.of(t.datatype(), shape, out.flip());
    }

    private static byte[] bytes(Tensor t) {
        if (t.datatype() == DataType.BYTES) {
            return String.join("\u0000", t.elements().stream().map(String::new).toList()).getBytes();
        }
        ByteBuffer b = t.data();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * Resident memory not accounted for by the JVM's own heap, metaspace/code and direct buffers:
     * what engines allocate natively. Measured after a full GC so dead Java objects are gone.
     */
    static long nativeBytes() {
        System.gc();
        System.gc();
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        long jvm = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            jvm += pool.getMemoryUsed();
        }
        return residentBytes() - jvm;
    }

    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS");
    }

    protected static ModelSignature signatureFile(Path file) {
        try {
            tools.jackson.databind.JsonNode root = Http.JSON.readTree(Files.readString(file));
            return new ModelSignature(specs(root.get("inputs")), specs(root.get("outputs")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<TensorSpec> specs(tools.jackson.databind.JsonNode array) {
        List<TensorSpec> specs = new ArrayList<>();
        for (tools.jackson.databind.JsonNode n : array) {
            long[] shape = new long[n.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = n.get("shape").get(i).asLong();
            }
            specs.add(new TensorSpec(n.get("name").asString(), DataType.fromName(n.get("datatype").asString()).orElseThrow(), shape));
        }
        return specs;
    }
}
