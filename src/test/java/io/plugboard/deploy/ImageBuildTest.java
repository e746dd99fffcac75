package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Dockerfile's CPU image, built from the sources and run the way docker-compose.yml runs it:
 * read-only root filesystem, no new privileges, writable /tmp and /var/cache/plugboard.
 *
 * <p>Needs a Docker engine; skipped without one. The build runs Maven inside Docker and takes
 * minutes. The Docker API's builder is the classic one, which also builds (and pulls the base of)
 * the Dockerfile's unused CUDA stage.
 */
@Testcontainers(disabledWithoutDocker = true)
class ImageBuildTest {

    private static final String MODEL = "image-add-mul";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The build context: what the Dockerfile copies (as .dockerignore leaves it). */
    static final ImageFromDockerfile IMAGE = new ImageFromDockerfile("plugboard-image-test", true)
            .withFileFromPath("Dockerfile", Path.of("Dockerfile"))
            .withFileFromPath("mvnw", Path.of("mvnw"))
            .withFileFromPath("pom.xml", Path.of("pom.xml"))
            .withFileFromPath(".mvn", Path.of(".mvn"))
            .withFileFromPath("src", Path.of("src"))
            .withFileFromPath("config", Path.of("config"))
            .withBuildArg("VARIANT", "cpu");

    @Container
    static final GenericContainer<?> PLUGBOARD = new GenericContainer<>(IMAGE)
            .withExposedPorts(8080)
            .withTmpFs(Map.of("/tmp", "rw", "/var/cache/plugboard", "rw,exec,mode=1777"))
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true)
                    .withSecurityOpts(List.of("no-new-privileges:true")))
            .waitingFor(Wait.forHttp("/actuator/health/readiness").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(3)));

    private static Endpoint endpoint() {
        return new Endpoint(PLUGBOARD.getHost(), PLUGBOARD.getMappedPort(8080));
    }

    @Test
    void imageTurnsReadyAndRunsAsUid10001() throws Exception {
        Endpoint.Reply readiness = endpoint().get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(JSON.readTree(readiness.body()).path("status").asString()).isEqualTo("UP");
        assertThat(endpoint().get("/actuator/health/liveness").status()).isEqualTo(200);

        ExecResult uid = PLUGBOARD.execInContainer("id", "-u");
        assertThat(uid.getStdout().strip()).as(uid.toString()).isEqualTo("10001");
        ExecResult java = PLUGBOARD.execInContainer("java", "-version");
        assertThat(java.getStderr()).as(java.toString()).contains("version \"21");
    }

    /**
     * The engines' natives come from the image's pre-filled cache, read only: a TFLite model serves
     * and the writable engine cache holds links, no unpacked library.
     */
    @Test
    void imageServesATfLiteModelFromItsPrefilledEngineCache() throws Exception {
        Path tflite = Path.of("src/test/resources/models/tflite/arith.tflite");
        Endpoint.Reply created = endpoint().upload("image-arith", tflite);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String request = io.plugboard.support.Cases.of(Path.of("src/test/resources/models/tflite/arith.cases.json"))
                .get(0).request();
        Endpoint.Reply answer = endpoint().postJson("/v2/models/image-arith/infer", request);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);

        ExecResult unpacked = PLUGBOARD.execInContainer("find", "/var/cache/plugboard/engines", "-type", "f",
                "-name", "*.so*");
        assertThat(unpacked.getStdout()).as(unpacked.toString()).isBlank();
        ExecResult links = PLUGBOARD.execInContainer("find", "/var/cache/plugboard/engines", "-type", "l",
                "-lname", "/opt/plugboard/engines/*");
        assertThat(links.getStdout()).as(links.toString()).contains("libjnitensorflowlite.so");
        ExecResult owner = PLUGBOARD.execInContainer("stat", "-c", "%u %A", "/opt/plugboard/engines");
        assertThat(owner.getStdout().strip()).as("root-owned, not writable by the server").startsWith("0 dr-x");
    }

    @Test
    void imageServesAnUploadedOnnxModelOnAReadOnlyRoot() {
        Endpoint.Reply created = endpoint().upload(MODEL, Traffic.ADD_MUL);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Endpoint.Reply answer = endpoint().postJson("/v1/models/" + MODEL + "/infer", Traffic.INFER);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        Endpoint.Reply scrape = endpoint().get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(Exposition.parse(scrape.body()).samples("plugboard_inference_requests_total"))
                .anyMatch(s -> MODEL.equals(s.labels().get("model")));
    }
}
