package io.plugboard.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.ServerTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A client in another language: Python's grpcio with stubs that grpc_tools generates from the
 * service's own .proto (as KServe's and Triton's Python clients are built), running
 * {@code src/test/python/oip_grpc_client.py} against this server. Needs Debian's
 * python3-grpcio, python3-grpc-tools and python3-numpy; skipped without them unless
 * PLUGBOARD_REQUIRE_PYTHON_GRPC=1 (as CI sets).
 */
class PythonGrpcClientTest extends ServerTest {

    private static final String PYTHON = "/usr/bin/python3";

    @Autowired
    private GrpcServer grpc;

    @TempDir
    Path stubs;

    @Test
    void aPythonGrpcioClientPassesEveryCheck() throws Exception {
        boolean available = Files.isExecutable(Path.of(PYTHON))
                && run(List.of(PYTHON, "-c", "import grpc, grpc_tools, numpy"), 60).exit() == 0;
        if (!"1".equals(System.getenv("PLUGBOARD_REQUIRE_PYTHON_GRPC"))) {
            Assumptions.assumeTrue(available, "python3-grpcio, python3-grpc-tools and python3-numpy are not installed");
        }
        assertThat(available).as("python3 with grpcio, grpc_tools and numpy").isTrue();

        Result generated = run(List.of(PYTHON, "-m", "grpc_tools.protoc", "-I", "src/main/proto",
                "--python_out=" + stubs, "--grpc_python_out=" + stubs, "grpc_predict_v2.proto", "triton_extensions.proto"), 60);
        assertThat(generated.exit()).as(generated.output()).isZero();
        assertThat(http.upload("py-types", onnx("identity_types")).status()).isEqualTo(201);
        assertThat(http.upload("py-mlp", onnx("mlp")).status()).isEqualTo(201);

        Result client = run(List.of(PYTHON, "src/test/python/oip_grpc_client.py", stubs.toString(),
                "127.0.0.1:" + grpc.port(), "py-types", MODELS.resolve("onnx/identity_types.cases.json").toString(),
                "py-mlp", MODELS.resolve("onnx/mlp.cases.json").toString()), 120);
        assertThat(client.exit()).as(client.output()).isZero();
        assertThat(client.output()).contains("ok   raw BYTES round trip", "ok   raw FP16 round trip",
                "ok   typed FP32 values", "ok   unknown model is NOT_FOUND", "ok   a wrong shape is INVALID_ARGUMENT",
                "ok   ModelConfig describes the inputs", "ok   ModelStatistics counts the answers",
                "ok   RepositoryModelLoad", "ok   unknown model config is NOT_FOUND",
                "ok   ModelStreamInfer answers every request", "ok   a streamed answer comes raw",
                "ok   a streamed failure is carried in error_message")
                .doesNotContain("FAIL");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, int seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("python-grpc", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return ended ? new Result(p.exitValue(), out) : new Result(-1, "timed out: " + String.join(" ", command)
                    + "\n" + out);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
