package io.plugboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

/** Access log lines, also for requests answered after their handler returned (queued). */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "plugboard.access-log.enabled=true")
class AccessLogTest extends ServerTest {

    @Test
    void aQueuedRequestsLineCarriesItsRequestIdInTheLoggingContext(CapturedOutput output) throws Exception {
        // batching: every request is queued and answered by the model's thread
        Http.Reply created = http.upload(Map.of("name", "logged", "instances", "1", "maxBatchSize", "4",
                "maxQueueDelayMs", "5"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
                + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
        Http.Reply answer = http.post("/v1/models/logged/infer", "application/json", body.getBytes(),
                Map.of("X-Request-Id", "queued-7f3a"));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !accessLine(output, "queued-7f3a")) {
            Thread.sleep(50);
        }
        assertThat(output.getAll().lines().filter(l -> l.contains("plugboard.access") && l.contains("queued-7f3a")))
                .as("the access line").singleElement().satisfies(l -> assertThat(l).contains("[queued-7f3a]"));
    }

    private static boolean accessLine(CapturedOutput output, String id) {
        return output.getAll().lines().anyMatch(l -> l.contains("plugboard.access") && l.contains(id));
    }
}
