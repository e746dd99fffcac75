package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A call that would run for hours ends with its request: after a 504, and when its model is deleted. */
class RunawayCallsTest extends ServerTest {

    private static String count(long n, String parameters) {
        return "{\"inputs\":[{\"name\":\"n\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[" + n + "]}]"
                + (parameters == null ? "" : ",\"parameters\":" + parameters) + "}";
    }

    private void upload(String id) {
        Http.Reply reply = http.upload(Map.of("name", id, "instances", "1"), List.of(Http.Part.of(onnx("runaway_loop"))));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    }

    @Test
    void aTimedOutCallIsStoppedAndFreesItsInstance() {
        upload("runaway");
        Http.Reply timedOut = http.postJson("/v1/models/runaway/infer", count(1L << 50, "{\"timeout_ms\":500}"));
        assertThat(timedOut.status()).as(timedOut.toString()).isEqualTo(504);
        // the only instance is free again: the stopped call no longer holds it (or a core)
        Http.Reply next = http.postJson("/v1/models/runaway/infer", count(5, "{\"timeout_ms\":10000}"));
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
        assertThat(next.json().get("outputs").get(0).get("data").get(0).asLong()).isEqualTo(5);
    }

    @Test
    void deletingAModelStopsItsRunningCall() throws Exception {
        upload("runaway-delete");
        CompletableFuture<Http.Reply> call = CompletableFuture.supplyAsync(
                () -> http.postJson("/v1/models/runaway-delete/infer", count(1L << 50, "{\"timeout_ms\":600000}")));
        Thread.sleep(500);
        long start = System.nanoTime();
        assertThat(http.delete("/v1/models/runaway-delete").status()).isEqualTo(204);
        // the drain (5 s in tests) passes, then the call is stopped and the session closed
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        Http.Reply stopped = call.get(20, TimeUnit.SECONDS);
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(503);
        assertThat(stopped.problemType()).endsWith("/model-not-ready");
    }
}
