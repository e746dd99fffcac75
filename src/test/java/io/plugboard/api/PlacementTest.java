package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.backend.onnx.AcceleratorProbe;
import io.plugboard.backend.onnx.FakeAcceleratorProbe;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * Placement on a host described by a probe: it claims one CUDA GPU whose provider "loads" and no
 * TensorRT. Sessions really are created through ONNX Runtime, so on a machine without CUDA the
 * cuda:0 session fails and {@code auto} falls back to cpu, recording why.
 */
@Import(PlacementTest.Host.class)
class PlacementTest extends ServerTest {

    @TestConfiguration
    static class Host {
        @Bean
        @Primary
        AcceleratorProbe claimedGpu() {
            return new FakeAcceleratorProbe(Set.of("CPU", "CUDA", "TENSOR_RT"), List.of(0), Set.of("libnvinfer.so.10"),
                    Map.of());
        }
    }

    @Test
    void hardwareInventoryListsTargetsAndReasons() {
        Http.Reply reply = http.get("/v1/hardware");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("targets").toString()).contains("\"name\":\"cuda:0\"", "\"name\":\"cpu\"");
        assertThat(reply.json().get("unavailable").toString()).contains("libnvinfer.so.10 not found");
        assertThat(http.get("/actuator/prometheus").body())
                .contains("plugboard_hardware_accelerators{application=\"plugboard\",backend=\"onnxruntime\"} 1.0");
    }

    @Test
    void autoFallsBackToCpuWhenTheGpuSessionFails() {
        Http.Reply created = http.upload("placed-auto", onnx("add_mul"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("target").asString()).isEqualTo("cpu");
        assertThat(created.json().get("placement").asString())
                .contains("auto: best available of [cuda:0, cpu]", "cuda:0 failed", "fell back");
        http.delete("/v1/models/placed-auto");
    }

    @Test
    void explicitTargetsAreNeverMoved() {
        Http.Reply trt = http.upload(Map.of("name", "placed-trt", "target", "tensorrt"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(trt.status()).as(trt.toString()).isEqualTo(400);
        assertThat(trt.problemType()).endsWith("/target-unavailable");
        assertThat(trt.json().get("detail").asString()).contains("libnvinfer.so.10 not found");

        Http.Reply second = http.upload(Map.of("name", "placed-cuda1", "target", "cuda:1"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(second.status()).isEqualTo(400);
        assertThat(second.problemType()).endsWith("/target-unavailable");

        Http.Reply cuda = http.upload(Map.of("name", "placed-cuda", "target", "cuda:0"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(cuda.status()).as(cuda.toString()).isEqualTo(422);
        assertThat(cuda.problemType()).endsWith("/model-load-failed");
        assertThat(http.get("/v1/models/placed-cuda").status()).isEqualTo(404);

        Http.Reply cpu = http.upload(Map.of("name", "placed-cpu", "target", "cpu"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(cpu.status()).isEqualTo(201);
        assertThat(cpu.json().get("target").asString()).isEqualTo("cpu");
        http.delete("/v1/models/placed-cpu");
    }
}
