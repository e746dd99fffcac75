package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docker-compose.yml as a whole: Plugboard built from the Dockerfile (CPU variant), Prometheus
 * scraping it with config/prometheus.yml, Grafana provisioned from config/grafana.
 *
 * <p>Needs a Docker engine with the compose plugin (run through the local {@code docker compose});
 * skipped without Docker. The first run builds the image, Maven included, so it takes minutes. The
 * compose file publishes the fixed host ports 8080, 9090 and 3000, which must be free.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackTest {

    private static final String MODEL = "compose-add-mul";
    private static final String GRAFANA_PASSWORD = "test-" + UUID.randomUUID();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Container
    static final ComposeContainer STACK = new ComposeContainer(new File("docker-compose.yml"))
            .withBuild(true)
            .withEnv("GRAFANA_ADMIN_PASSWORD", GRAFANA_PASSWORD)
            .withExposedService("plugboard", 8080, Wait.forHttp("/actuator/health/readiness").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(30)))
            .withExposedService("prometheus", 9090, Wait.forHttp("/-/ready").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(5)))
            .withExposedService("grafana", 3000, Wait.forHttp("/api/health").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(5)))
            .withRemoveVolumes(true);

    private static Endpoint plugboard;
    private static Endpoint prometheus;
    private static Endpoint grafana;

    @BeforeAll
    static void endpoints() {
        plugboard = endpoint("plugboard", 8080, null);
        prometheus = endpoint("prometheus", 9090, null);
        grafana = endpoint("grafana", 3000, "admin");
        Endpoint.Reply created = plugboard.upload(MODEL, Traffic.ADD_MUL);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    @Test
    void plugboardServesAnUploadedModelAndItsMetrics() {
        for (int i = 0; i < 3; i++) {
            Endpoint.Reply answer = plugboard.postJson("/v1/models/" + MODEL + "/infer", Traffic.INFER);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("outputs").size()).isEqualTo(2);
        }
        assertThat(plugboard.get("/actuator/health/liveness").status()).isEqualTo(200);

        Endpoint.Reply scrape = plugboard.get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        Exposition metrics = Exposition.parse(scrape.body());
        assertThat(metrics.samples("plugboard_inference_requests_total"))
                .anyMatch(s -> MODEL.equals(s.labels().get("model")) && "success".equals(s.labels().get("outcome")));
        assertThat(metrics.hasFamily("plugboard_inference_duration_seconds")).isTrue();
    }

    @Test
    void prometheusScrapesPlugboard() {
        String query = "/api/v1/query?query=" + URLEncoder.encode("up{job=\"plugboard\"}", StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Endpoint.Reply answer = prometheus.get(query);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            JsonNode result = JSON.readTree(answer.body()).path("data").path("result");
            assertThat(result.size()).as(answer.toString()).isEqualTo(1);
            assertThat(result.get(0).path("value").get(1).asString()).as(answer.toString()).isEqualTo("1");
        });
    }

    @Test
    void grafanaHasTheDashboardAndReachesPrometheus() {
        Endpoint.Reply dashboard = grafana.get("/api/dashboards/uid/plugboard");
        assertThat(dashboard.status()).as(dashboard.toString()).isEqualTo(200);
        assertThat(JSON.readTree(dashboard.body()).path("dashboard").path("title").asString()).isEqualTo("Plugboard");

        Endpoint.Reply health = grafana.get("/api/datasources/uid/prometheus/health");
        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).path("status").asString()).as(health.toString()).isEqualTo("OK");

        // Anonymous visitors get the dashboard read-only.
        Endpoint.Reply anonymous = endpoint("grafana", 3000, null).get("/api/dashboards/uid/plugboard");
        assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(200);
    }

    private static Endpoint endpoint(String service, int port, String user) {
        String host = STACK.getServiceHost(service, port);
        int mapped = STACK.getServicePort(service, port);
        return user == null ? new Endpoint(host, mapped) : new Endpoint(host, mapped, user, GRAFANA_PASSWORD);
    }
}
