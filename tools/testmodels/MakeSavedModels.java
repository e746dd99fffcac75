/*
 * Makes the small TensorFlow SavedModel test models and their reference outputs, with the
 * TensorFlow Java API only (no Python TensorFlow needed).
 *
 * Run from the repository root with JDK 22+ (single-file source launch) and a class path holding
 * DJL's tensorflow-api jar, tensorflow-core-native (linux-x86_64), javacpp and protobuf-java.
 * The class path is long, so pass it through an argument file:
 *
 *     echo "-cp <classpath>" > /tmp/tfargs.txt
 *     java @/tmp/tfargs.txt -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-cache \
 *         tools/testmodels/MakeSavedModels.java src/test/resources/models/savedmodel
 *
 * Writes, into the output folder:
 *   affine/            SavedModel, signature "serving_default": x FP32 [-1,3] ->
 *                      y = x * weight + 1 (FP32 [-1,3], weight a variable holding 2.0),
 *                      total = sum of x over axis 1 (FP32 [-1])
 *   typed/             SavedModel, signature "serving_default": count INT32 [-1], flag BOOL [-1],
 *                      wide INT64 [-1] -> count_plus_one INT32, not_flag BOOL, wide_times_two INT64;
 *                      signature "double_only": count INT32 [-1] -> doubled INT32
 *   affine.cases.json, typed.cases.json (serving_default), typed.double_only.cases.json
 *   affine.zip         the affine folder's contents at the archive root
 *   typed.tar.gz       the typed folder under a top folder typed/
 *
 * Every cases file is a JSON array of Open Inference Protocol requests and the outputs the model
 * must give for them, computed here by loading the exported SavedModel back and running it.
 */

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.BooleanDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.ndarray.buffer.LongDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

public class MakeSavedModels {

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/models/savedmodel");
        Files.createDirectories(out);

        Path affine = out.resolve("affine");
        exportAffine(affine);
        writeCases(out.resolve("affine.cases.json"), runCases(affine, "serving_default", List.of("y", "total"), List.of(
                ordered("x", TFloat32.tensorOf(Shape.of(2, 3),
                        DataBuffers.of(1f, 2f, 3f, -4f, 0.5f, -1.5f))),
                ordered("x", TFloat32.tensorOf(Shape.of(1, 3),
                        DataBuffers.of(0.25f, -0.125f, 1.0e10f))))));

        Path typed = out.resolve("typed");
        exportTyped(typed);
        writeCases(out.resolve("typed.cases.json"), runCases(typed, "serving_default",
                List.of("count_plus_one", "not_flag", "wide_times_two"), List.of(
                ordered("count", TInt32.vectorOf(-3, 0, 41, 2147483646),
                        "flag", TBool.vectorOf(true, false, false, true),
                        "wide", TInt64.vectorOf(-5L, 0L, 9007199254740993L, 4611686018427387903L)))));
        writeCases(out.resolve("typed.double_only.cases.json"), runCases(typed, "double_only", List.of("doubled"), List.of(
                ordered("count", TInt32.vectorOf(-7, 0, 21, 1073741823)))));

        zipContents(affine, out.resolve("affine.zip"));
        tarGz(typed, out.resolve("typed.tar.gz"));

        try (Stream<Path> files = Files.walk(out)) {
            for (Path p : files.sorted().toList()) {
                if (Files.isRegularFile(p)) {
                    System.out.printf("%8d  %s%n", Files.size(p), out.relativize(p));
                }
            }
        }
    }

    /** x FP32 [-1,3] -> y = x * weight + 1, total = sum(x, axis 1); weight is a variable (2.0). */
    static void exportAffine(Path dir) throws IOException {
        deleteTree(dir);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 3)));
            Variable<TFloat32> weight = tf.withName("weight").variable(tf.constant(2.0f));
            var y = tf.withName("y").math.add(tf.math.mul(x, weight), tf.constant(1.0f));
            var total = tf.withName("total").sum(x, tf.constant(1));
            try (Session s = new Session(g)) {
                s.initialize();
                Signature sig = Signature.builder().key("serving_default")
                        .input("x", x).output("y", y).output("total", total).build();
                SavedModelBundle.exporter(dir.toString()).withTags("serve")
                        .withFunction(SessionFunction.create(sig, s)).export();
            }
        }
    }

    /** Two signatures over one graph: "serving_default" (three typed inputs) and "double_only". */
    static void exportTyped(Path dir) throws IOException {
        deleteTree(dir);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TInt32> count = tf.withName("count").placeholder(TInt32.class,
                    Placeholder.shape(Shape.of(-1)));
            Placeholder<TBool> flag = tf.withName("flag").placeholder(TBool.class,
                    Placeholder.shape(Shape.of(-1)));
            Placeholder<TInt64> wide = tf.withName("wide").placeholder(TInt64.class,
                    Placeholder.shape(Shape.of(-1)));
            var countPlusOne = tf.withName("count_plus_one").math.add(count, tf.constant(1));
            var notFlag = tf.withName("not_flag").math.logicalNot(flag);
            var wideTimesTwo = tf.withName("wide_times_two").math.mul(wide, tf.constant(2L));
            var doubled = tf.withName("doubled").math.mul(count, tf.constant(2));
            try (Session s = new Session(g)) {
                Signature serving = Signature.builder().key("serving_default")
                        .input("count", count).input("flag", flag).input("wide", wide)
                        .output("count_plus_one", countPlusOne).output("not_flag", notFlag)
                        .output("wide_times_two", wideTimesTwo).build();
                Signature doubleOnly = Signature.builder().key("double_only")
                        .input("count", count).output("doubled", doubled).build();
                SavedModelBundle.exporter(dir.toString()).withTags("serve")
                        .withFunction(SessionFunction.create(serving, s))
                        .withFunction(SessionFunction.create(doubleOnly, s)).export();
            }
        }
    }

    /**
     * Loads the SavedModel back and runs the named signature on each feed; inputs are listed in
     * the feed's order and outputs in the given order (the signature's own name sets are unordered).
     */
    static List<Object> runCases(Path dir, String key, List<String> outputNames,
                                 List<Map<String, Tensor>> feeds) {
        List<Object> cases = new ArrayList<>();
        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
            Signature sig = bundle.function(key).signature();
            for (Map<String, Tensor> feed : feeds) {
                List<Object> inputs = new ArrayList<>();
                if (!sig.inputNames().equals(feed.keySet())
                        || !sig.outputNames().equals(new java.util.HashSet<>(outputNames))) {
                    throw new IllegalStateException("signature " + key + " is " + sig);
                }
                for (Map.Entry<String, Tensor> e : feed.entrySet()) {
                    inputs.add(tensorJson(e.getKey(), e.getValue()));
                }
                List<Object> outputs = new ArrayList<>();
                try (Result result = bundle.function(key).call(feed)) {
                    for (String name : outputNames) {
                        outputs.add(tensorJson(name, result.get(name).orElseThrow()));
                    }
                }
                feed.values().forEach(Tensor::close);
                cases.add(ordered("request", ordered("inputs", inputs), "outputs", outputs));
            }
        }
        return cases;
    }

    static Map<String, Object> tensorJson(String name, Tensor t) {
        long[] dims = t.shape().asArray();
        int n = (int) t.shape().size();
        List<Object> shape = new ArrayList<>();
        for (long d : dims) {
            shape.add(d);
        }
        List<Object> data = new ArrayList<>();
        String datatype;
        if (t instanceof TFloat32 f) {
            datatype = "FP32";
            FloatDataBuffer b = DataBuffers.ofFloats(n);
            f.copyTo(b);
            for (int i = 0; i < n; i++) {
                data.add((double) b.getFloat(i));
            }
        } else if (t instanceof TInt32 v) {
            datatype = "INT32";
            IntDataBuffer b = DataBuffers.ofInts(n);
            v.copyTo(b);
            for (int i = 0; i < n; i++) {
                data.add(b.getInt(i));
            }
        } else if (t instanceof TInt64 v) {
            datatype = "INT64";
            LongDataBuffer b = DataBuffers.ofLongs(n);
            v.copyTo(b);
            for (int i = 0; i < n; i++) {
                data.add(b.getLong(i));
            }
        } else if (t instanceof TBool v) {
            datatype = "BOOL";
            BooleanDataBuffer b = DataBuffers.ofBooleans(n);
            v.copyTo(b);
            for (int i = 0; i < n; i++) {
                data.add(b.getBoolean(i));
            }
        } else {
            throw new IllegalArgumentException("no case for " + t.dataType());
        }
        return ordered("name", name, "datatype", datatype, "shape", shape, "data", data);
    }

    @SuppressWarnings("unchecked")
    static <V> Map<String, V> ordered(Object... kv) {
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (V) kv[i + 1]);
        }
        return m;
    }

    /** Writes JSON laid out like Python's json.dump(doc, f, indent=1), as the other cases files. */
    static void writeCases(Path file, List<Object> cases) throws IOException {
        StringBuilder sb = new StringBuilder();
        json(sb, cases, 0);
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    static void json(StringBuilder sb, Object v, int depth) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{");
            String sep = "\n";
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(sep).append(" ".repeat(depth + 1));
                json(sb, e.getKey(), depth + 1);
                sb.append(": ");
                json(sb, e.getValue(), depth + 1);
                sep = ",\n";
            }
            sb.append("\n").append(" ".repeat(depth)).append("}");
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append("[");
            String sep = "\n";
            for (Object o : l) {
                sb.append(sep).append(" ".repeat(depth + 1));
                json(sb, o, depth + 1);
                sep = ",\n";
            }
            sb.append("\n").append(" ".repeat(depth)).append("]");
        } else if (v instanceof String s) {
            sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new IllegalArgumentException("not representable in JSON: " + d);
            }
            sb.append(d);
        } else {
            sb.append(v); // Integer, Long, Boolean
        }
    }

    /** Zips the contents of dir, entries relative to dir (saved_model.pb, variables/...). */
    static void zipContents(Path dir, Path zip) throws IOException, InterruptedException {
        Files.deleteIfExists(zip);
        if (onPath("zip")) {
            run(dir, "zip", "-q", "-X", "-r", zip.toAbsolutePath().toString(), ".");
            return;
        }
        try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(zip));
             Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted().toList()) {
                if (p.equals(dir)) {
                    continue;
                }
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    zos.putNextEntry(new ZipEntry(name + "/"));
                } else {
                    zos.putNextEntry(new ZipEntry(name));
                    Files.copy(p, zos);
                }
                zos.closeEntry();
            }
        }
    }

    /** Packs dir as a gzipped tar whose entries sit under a top folder named like dir. */
    static void tarGz(Path dir, Path archive) throws IOException, InterruptedException {
        Files.deleteIfExists(archive);
        if (!onPath("tar")) {
            throw new IOException("tar is needed to write " + archive);
        }
        run(dir.getParent(), "tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner",
                "-czf", archive.toAbsolutePath().toString(), dir.getFileName().toString());
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    static void run(Path cwd, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + String.join(" ", command));
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
