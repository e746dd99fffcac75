package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The server-wide budget for request buffers: a slow request holding most of it makes the next
 * one wait its turn (503 with Retry-After), probes stay prompt, and the budget comes back whole when
 * the slow client goes away.
 */
@TestPropertySource(properties = "plugboard.limits.request-memory=1MB")
class RequestBudgetTest extends ServerTest {

    private static final String SMALL = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
            + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,1,1]}]}";

    private double charged() {
        String scrape = http.get("/actuator/prometheus").body();
        return scrape.lines().filter(l -> l.startsWith("plugboard_request_memory_bytes"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private void awaitCharged(java.util.function.DoublePredicate condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.test(charged()); i++) {
            Thread.sleep(50);
        }
        assertThat(charged()).matches(condition::test);
    }

    @Test
    void aSlowRequestHoldingTheBudgetMakesOthersWaitUntilItEnds() throws Exception {
        assertThat(http.upload("add-mul", onnx("add_mul")).status()).isEqualTo(201);
        String head = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[";
        try (Socket slow = new Socket("localhost", port)) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/models/add-mul/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (4 << 20) + "\r\n\r\n" + head).getBytes(StandardCharsets.US_ASCII));
            byte[] spaces = new byte[400 << 10];
            Arrays.fill(spaces, (byte) ' ');
            out.write(spaces);
            out.flush();
            awaitCharged(bytes -> bytes > 1 << 20);

            Http.Reply refused = http.postJson("/v1/models/add-mul/infer", SMALL);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.problemType()).endsWith("/insufficient-memory");
            assertThat(refused.header("Retry-After")).isNotNull();
            assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        }
        awaitCharged(bytes -> bytes == 0);
        assertThat(http.postJson("/v1/models/add-mul/infer", SMALL).status()).isEqualTo(200);
    }

    @Test
    void aLeaseChargesUntilOthersWouldPassTheBudgetAndGivesEverythingBack() {
        RequestMemory memory = new RequestMemory(1000);
        RequestMemory.Lease alone = memory.open();
        alone.charge(1500); // alone, a request may pass the budget
        RequestMemory.Lease second = memory.open();
        assertThatThrownBy(() -> second.charge(1)).isInstanceOfSatisfying(PlugboardException.class,
                e -> assertThat(e.type()).isEqualTo(ProblemType.INSUFFICIENT_MEMORY));
        alone.close();
        second.charge(900);
        assertThat(memory.used()).isEqualTo(900);
        second.close();
        second.close();
        assertThat(memory.used()).isZero();
    }
}
