package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.plugboard.support.ServerTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * /actuator/prometheus as Prometheus itself reads it: every Plugboard meter documented and free of
 * promtool lint, and the latency histogram usable by histogram_quantile in a real Prometheus.
 *
 * <p>promtool and prometheus come from the Debian package {@code prometheus}. Without them these
 * tests are skipped, unless the environment variable PLUGBOARD_REQUIRE_PROMTOOL is set (as in CI),
 * which turns a missing binary into a failure.
 */
class PrometheusExpositionTest extends ServerTest {

    private static final String MODEL = "prom-exposition";
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String P99 =
            "histogram_quantile(0.99, sum by (le) (rate(plugboard_inference_duration_seconds_bucket[1m])))";
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private Environment env;

    @BeforeEach
    void traffic() {
        Traffic.ensureModel(http, MODEL);
        for (int i = 0; i < 5; i++) {
            Traffic.infer(http, MODEL);
        }
        Traffic.badRequest(http, MODEL);
    }

    @Test
    void everyPlugboardFamilyHasHelpText() {
        Exposition scrape = Exposition.parse(Traffic.scrape(http));
        assertThat(scrape.familiesStartingWith("plugboard_")).contains(
                "plugboard_inference_duration_seconds", "plugboard_queue_time_seconds", "plugboard_batch_size",
                "plugboard_models", "plugboard_queue_depth", "plugboard_instances_busy");
        assertThat(scrape.type("plugboard_inference_duration_seconds")).isEqualTo("histogram");
        assertThat(scrape.type("plugboard_inference_requests_total")).isEqualTo("counter");
        for (String family : scrape.familiesStartingWith("plugboard_")) {
            assertThat(scrape.help.get(family)).as("HELP of %s", family).isNotBlank();
        }
        assertThat(scrape.samples("plugboard_inference_duration_seconds_bucket"))
                .as("latency buckets of %s", MODEL)
                .anyMatch(s -> MODEL.equals(s.labels().get("model")) && "+Inf".equals(s.labels().get("le")));
    }

    @Test
    void promtoolFindsNoProblemInPlugboardMeters(@TempDir Path temp) throws Exception {
        requireBinary(PROMTOOL);
        Path metrics = Files.writeString(temp.resolve("metrics.txt"), Traffic.scrape(http));
        Path output = temp.resolve("promtool.out");
        Process promtool = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
                .redirectInput(metrics.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!promtool.waitFor(60, TimeUnit.SECONDS)) {
            promtool.destroyForcibly();
            fail("promtool check metrics did not finish within 60 s");
        }
        String report = Files.readString(output);
        // 0: clean; 3: lint problems only (reported per metric, checked below); anything else: unparsable.
        assertThat(promtool.exitValue()).as(report).isIn(0, 3);
        assertThat(report.lines().filter(line -> line.contains("plugboard_")).toList())
                .as("promtool's findings on Plugboard's meters").isEmpty();
    }

    @Test
    void prometheusComputesTheP99LatencyFromTheHistogram(@TempDir Path temp) throws Exception {
        requireBinary(PROMETHEUS);
        int port = freePort();
        Path config = Files.writeString(temp.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: plugboard
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["127.0.0.1:%s"]
                """.formatted(env.getProperty("local.server.port")));
        Path log = temp.resolve("prometheus.log");
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + temp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI query = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(P99, StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                assertThat(prometheus.isAlive()).as("prometheus exited:%n%s", tail(log)).isTrue();
                Traffic.infer(http, MODEL); // rate() over the window needs fresh observations
                try {
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(query)
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    last = answer.statusCode() + " " + answer.body();
                    Double p99 = answer.statusCode() == 200 ? value(answer.body()) : null;
                    if (p99 != null) {
                        assertThat(p99).as("p99 latency in seconds").isFinite().isPositive().isLessThan(60.0);
                        return;
                    }
                } catch (IOException e) {
                    last = e.toString(); // not listening yet
                }
                Thread.sleep(500);
            }
            fail("no numeric p99 from Prometheus within %s; last answer: %s%nlog:%n%s", QUERY_TIMEOUT, last, tail(log));
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The value of the single sample of an instant-vector answer, or null while there is none (or NaN). */
    private static Double value(String body) {
        JsonNode json = JSON.readTree(body);
        if (!"success".equals(json.path("status").asString())) {
            return null;
        }
        JsonNode result = json.path("data").path("result");
        if (!result.isArray() || result.size() == 0) {
            return null;
        }
        double v = Double.parseDouble(result.get(0).path("value").get(1).asString());
        return Double.isNaN(v) ? null : v;
    }

    private static void requireBinary(Path binary) {
        if (Files.isExecutable(binary)) {
            return;
        }
        if (System.getenv("PLUGBOARD_REQUIRE_PROMTOOL") != null) {
            fail(binary + " is missing (install the Debian package prometheus) and PLUGBOARD_REQUIRE_PROMTOOL is set");
        }
        Assumptions.abort(binary + " is missing: install the Debian package prometheus");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
