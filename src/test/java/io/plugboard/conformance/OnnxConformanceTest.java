package io.plugboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the ONNX backend test suite shipped by Debian's {@code libonnx-testdata} through the HTTP
 * API: each model is uploaded, each test data set inferred, each output compared with the
 * reference (rtol 1e-3, atol 1e-5). Writes {@code target/conformance/onnx.md} with the pass rate
 * and every failure class. Skipped where the package is missing, unless
 * {@code PLUGBOARD_REQUIRE_CONFORMANCE} is set (as CI does).
 */
class OnnxConformanceTest extends ServerTest {

    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");
    private static final double RTOL = 1e-3;
    private static final double ATOL = 1e-5;
    private static final Map<String, String> REPORT = new TreeMap<>();

    /** Lowest pass rates accepted per suite (measured: see docs/conformance.md). */
    private static final Map<String, Double> FLOOR = Map.of("node", 0.88, "pytorch-converted", 0.70,
            "pytorch-operator", 0.65, "simple", 0.70);

    @ParameterizedTest
    @ValueSource(strings = {"node", "pytorch-converted", "pytorch-operator", "simple"})
    void suite(String suite) throws IOException {
        Path dir = DATA.resolve(suite);
        if (System.getenv("PLUGBOARD_REQUIRE_CONFORMANCE") == null) {
            Assumptions.assumeTrue(Files.isDirectory(dir), "libonnx-testdata is not installed");
        }
        assertThat(dir).isDirectory();
        List<Path> tests;
        try (Stream<Path> s = Files.list(dir)) {
            tests = s.filter(p -> Files.exists(p.resolve("model.onnx"))).sorted().toList();
        }
        Map<String, List<String>> failures = new TreeMap<>();
        int passed = 0;
        int serverErrors = 0;
        for (int i = 0; i < tests.size(); i++) {
            Path test = tests.get(i);
            String id = ("c" + i + "-" + test.getFileName().toString().toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9._-]", "-"));
            id = id.substring(0, Math.min(60, id.length()));
            Outcome outcome = run(id, test);
            if (outcome.status >= 500) {
                serverErrors++;
            }
            if (outcome.failureClass == null) {
                passed++;
            } else {
                failures.computeIfAbsent(outcome.failureClass, k -> new ArrayList<>()).add(test.getFileName().toString());
            }
        }
        double rate = tests.isEmpty() ? 0 : (double) passed / tests.size();
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "## %s: %d of %d pass (%.1f%%)%n%n", suite, passed, tests.size(), 100 * rate));
        failures.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size()).forEach(e ->
                report.append("- ").append(e.getValue().size()).append(" × ").append(e.getKey()).append(": ")
                        .append(String.join(", ", e.getValue().subList(0, Math.min(6, e.getValue().size()))))
                        .append(e.getValue().size() > 6 ? ", …" : "").append('\n'));
        REPORT.put(suite, report.toString());
        System.out.println(report);
        assertThat(serverErrors).as("responses with a 5xx status").isZero();
        assertThat(rate).as("pass rate of %s", suite).isGreaterThanOrEqualTo(FLOOR.get(suite));
        assertThat(http.get("/v1/models").json().get("models").toString()).doesNotContain("\"id\":\"c");
    }

    @AfterAll
    static void writeReport() throws IOException {
        if (REPORT.isEmpty()) {
            return;
        }
        Path out = Path.of("target/conformance/onnx.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "# ONNX backend test suite through the HTTP API\n\n" + String.join("\n", REPORT.values()));
    }

    private record Outcome(String failureClass, int status) {
    }

    private Outcome run(String id, Path test) throws IOException {
        Http.Reply created = http.upload(id, test.resolve("model.onnx"));
        if (created.status() != 201) {
            return new Outcome("upload " + created.status() + " " + slug(created) + ": " + reason(created), created.status());
        }
        try {
            JsonNode description = created.json();
            List<Path> sets;
            try (Stream<Path> s = Files.list(test)) {
                sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set")).sorted().toList();
            }
            for (Path set : sets) {
                String failure = runSet(id, description, set);
                if (failure != null) {
                    return new Outcome(failure, failure.startsWith("infer 5") ? 500 : 200);
                }
            }
            return new Outcome(null, 200);
        } finally {
            assertThat(http.delete("/v1/models/" + id).status()).isEqualTo(204);
        }
    }

    private String runSet(String id, JsonNode description, Path set) throws IOException {
        ObjectNode request = Http.JSON.createObjectNode();
        ArrayNode inputs = request.putArray("inputs");
        for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
            TensorProtoReader.Decoded t;
            try {
                t = TensorProtoReader.read(set.resolve("input_" + i + ".pb"));
            } catch (TensorProtoReader.Unsupported e) {
                return "input is " + e.getMessage();
            }
            String name = !t.name().isEmpty() ? t.name() : description.get("inputs").get(i).get("name").asString();
            ObjectNode input = inputs.addObject();
            input.put("name", name).put("datatype", t.datatype());
            ArrayNode shape = input.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode data = input.putArray("data");
            t.elements().forEach(e -> addElement(data, e));
        }
        Http.Reply reply = http.postJson("/v1/models/" + id + "/infer", Http.JSON.writeValueAsString(request));
        if (reply.status() != 200) {
            return "infer " + reply.status() + " " + slug(reply) + ": " + reason(reply);
        }
        JsonNode outputs = reply.json().get("outputs");
        for (int i = 0; Files.exists(set.resolve("output_" + i + ".pb")); i++) {
            TensorProtoReader.Decoded want;
            try {
                want = TensorProtoReader.read(set.resolve("output_" + i + ".pb"));
            } catch (TensorProtoReader.Unsupported e) {
                return "reference output is " + e.getMessage();
            }
            String name = !want.name().isEmpty() ? want.name() : description.get("outputs").get(i).get("name").asString();
            JsonNode got = null;
            for (JsonNode o : outputs) {
                if (o.get("name").asString().equals(name)) {
                    got = o;
                }
            }
            if (got == null) {
                return "output missing from the answer";
            }
            if (!got.get("datatype").asString().equals(want.datatype())) {
                return "output datatype differs";
            }
            long[] shape = new long[got.get("shape").size()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = got.get("shape").get(k).asLong();
            }
            if (!java.util.Arrays.equals(shape, want.shape())) {
                return "output shape differs";
            }
            JsonNode data = got.get("data");
            if (data.size() != want.elements().size()) {
                return "output element count differs";
            }
            for (int k = 0; k < data.size(); k++) {
                if (!close(data.get(k), want.elements().get(k), want.datatype())) {
                    return "numeric mismatch beyond rtol " + RTOL + " / atol " + ATOL;
                }
            }
        }
        return null;
    }

    private static void addElement(ArrayNode data, Object e) {
        switch (e) {
            case Double d -> data.add(d);
            case Long l -> data.add(l);
            case Boolean b -> data.add(b);
            case String s -> {
                if (s.matches("[0-9]+")) {
                    data.add(new java.math.BigInteger(s));
                } else {
                    data.add(s);
                }
            }
            default -> throw new IllegalStateException(String.valueOf(e));
        }
    }

    private static boolean close(JsonNode got, Object want, String datatype) {
        if (want instanceof Double w) {
            double g = got.isString() ? Double.parseDouble(got.asString()) : got.asDouble();
            return Math.abs(g - w) <= ATOL + RTOL * Math.abs(w);
        }
        if (want instanceof String s && !datatype.equals("BYTES")) {
            if (got.isString()) {
                return got.asString().equals(s);
            }
            return got.asString().equals(s) || got.toString().equals(s);
        }
        if (want instanceof Long l) {
            return got.isNumber() && got.asLong() == l;
        }
        if (want instanceof Boolean b) {
            return got.isBoolean() && got.asBoolean() == b;
        }
        return got.asString().equals(String.valueOf(want));
    }

    private static String slug(Http.Reply reply) {
        String type = reply.problemType();
        return type.substring(type.lastIndexOf('/') + 1);
    }

    /** The engine's message reduced to its stable part, to group failures into classes. */
    private static String reason(Http.Reply reply) {
        String detail = reply.json().path("detail").asString();
        detail = detail.replaceAll("ONNX Runtime (could not load the model|rejected the inputs): ", "");
        detail = detail.replaceAll("\\[ErrorCode:[A-Za-z]+\\] ", "");
        detail = detail.replaceAll("(?s)(Load model from \\S+ failed:)", "Load failed:");
        detail = detail.replaceAll("'[^']*'", "'…'").replaceAll("[0-9]+", "N");
        return detail.length() > 110 ? detail.substring(0, 110) + "…" : detail;
    }
}
