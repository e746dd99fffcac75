package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Requests that find their model busy are queued and answered later by the thread that completes
 * them, with no request thread waiting meanwhile: outputs, both protocols' error formats at the
 * timeout, and large answers.
 */
class QueuedAnswersTest extends ServerTest {

    private static String count(long n, String parameters) {
        return "{\"inputs\":[{\"name\":\"n\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[" + n + "]}]"
                + (parameters == null ? "" : ",\"parameters\":" + parameters) + "}";
    }

    private static String addMul(int rows) {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rows * 3; i++) {
            a.append(i == 0 ? "" : ",").append(i);
            b.append(i == 0 ? "" : ",").append(2);
        }
        return "{\"inputs\":[{\"name\":\"a\",\"shape\":[" + rows + ",3],\"datatype\":\"FP32\",\"data\":[" + a + "]},"
                + "{\"name\":\"b\",\"shape\":[" + rows + ",3],\"datatype\":\"FP32\",\"data\":[" + b + "]}],"
                + "\"outputs\":[{\"name\":\"product\"}]}";
    }

    /** Starts a call that holds the model's only instance until its own timeout. */
    private CompletableFuture<Http.Reply> occupy(String model, int timeoutMs) throws InterruptedException {
        Http.Reply created = http.upload(Map.of("name", model, "instances", "1"),
                List.of(Http.Part.of(onnx("runaway_loop"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        CompletableFuture<Http.Reply> running = CompletableFuture.supplyAsync(() -> http.postJson(
                "/v1/models/" + model + "/infer", count(1L << 50, "{\"timeout_ms\":" + timeoutMs + "}")));
        Thread.sleep(300);
        return running;
    }

    @Test
    void queuedRequestsSmallAndLargeAreAnsweredWithNoRequestThreadWaiting() throws Exception {
        // batching: every request is queued, none runs on its request thread
        Http.Reply created = http.upload(Map.of("name", "queued", "instances", "1", "maxBatchSize", "4",
                "maxQueueDelayMs", "20"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<CompletableFuture<Http.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String path = (i % 2 == 0 ? "/v1/models/" : "/v2/models/") + "queued/infer";
            calls.add(CompletableFuture.supplyAsync(() -> http.postJson(path, addMul(2))));
        }
        // 2,000 rows: 24,000 bytes of outputs, over the size written by the engine's thread
        int rows = 2_000;
        assertThat(rows * 3 * 4).isGreaterThan((int) LaterAnswers.LARGE_ANSWER_BYTES);
        CompletableFuture<Http.Reply> large = CompletableFuture.supplyAsync(
                () -> http.postJson("/v2/models/queued/infer", addMul(rows)));
        for (CompletableFuture<Http.Reply> call : calls) {
            Http.Reply reply = call.get(60, TimeUnit.SECONDS);
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            JsonNode product = reply.json().get("outputs").get(0);
            assertThat(product.get("name").asString()).isEqualTo("product");
            assertThat(product.get("data").get(5).asDouble()).isEqualTo(10.0);
        }
        Http.Reply answer = large.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode data = answer.json().get("outputs").get(0).get("data");
        assertThat(data.size()).isEqualTo(rows * 3);
        assertThat(data.get(rows * 3 - 1).asDouble()).isEqualTo(2.0 * (rows * 3 - 1));

        // twelve requests wait behind a long call: no thread of this server waits for one of them
        CompletableFuture<Http.Reply> running = occupy("queued-busy", 4_000);
        List<CompletableFuture<Http.Reply>> waiting = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> http.postJson("/v1/models/queued-busy/infer",
                    count(3, "{\"timeout_ms\":30000}"))));
        }
        Thread.sleep(500);
        List<String> waitingThreads = Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith("InferenceGateway")))
                .map(e -> e.getKey().getName()).toList();
        assertThat(waitingThreads).isEmpty();
        assertThat(running.get(60, TimeUnit.SECONDS).status()).isEqualTo(504);
        for (CompletableFuture<Http.Reply> call : waiting) {
            Http.Reply reply = call.get(60, TimeUnit.SECONDS);
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.json().get("outputs").get(0).get("data").get(0).asLong()).isEqualTo(3);
        }
    }

    @Test
    void aQueuedRequestsTimeoutIsAnsweredInEachProtocolsFormat() throws Exception {
        CompletableFuture<Http.Reply> running = occupy("queued-timeout", 5_000);
        Http.Reply v1 = http.postJson("/v1/models/queued-timeout/infer", count(3, "{\"timeout_ms\":300}"));
        assertThat(v1.status()).as(v1.toString()).isEqualTo(504);
        assertThat(v1.contentType()).startsWith("application/problem+json");
        assertThat(v1.problemType()).endsWith("/timeout");
        assertThat(v1.json().get("timeoutMs").asLong()).isEqualTo(300);
        assertThat(v1.json().get("requestId").asString()).isEqualTo(v1.header("X-Request-Id"));
        assertThat(v1.json().get("instance").asString()).isEqualTo("/v1/models/queued-timeout/infer");

        Http.Reply v2 = http.postJson("/v2/models/queued-timeout/infer", count(3, "{\"timeout_ms\":300}"));
        assertThat(v2.status()).as(v2.toString()).isEqualTo(504);
        assertThat(v2.contentType()).startsWith("application/json");
        assertThat(v2.json().get("error").asString()).contains("did not answer within 300 ms");
        assertThat(running.get(60, TimeUnit.SECONDS).status()).isEqualTo(504);
    }

    @Test
    void clientsSendingTheirBodiesSlowlyHoldNoRequestThread() throws Exception {
        Http.Reply created = http.upload(Map.of("name", "slow-bodies", "queueCapacity", "256"),
                List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        byte[] body = addMul(2).getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /v2/models/slow-bodies/infer HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        // more clients than the server has request threads (server.tomcat.threads.max, 200), each
        // stopped half-way through its body
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 220; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(head);
                socket.getOutputStream().write(body, 0, body.length / 2);
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            Thread.sleep(500);
            long start = System.nanoTime();
            assertThat(http.get("/v2/health/live").status()).isEqualTo(200);
            Http.Reply answer = http.postJson("/v2/models/slow-bodies/infer", addMul(2));
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
            for (Socket socket : slow) { // the rest of each body: every one is answered
                socket.getOutputStream().write(body, body.length / 2, body.length - body.length / 2);
                socket.getOutputStream().flush();
            }
            for (Socket socket : slow) {
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(status).isEqualTo("HTTP/1.1 200");
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }
}
