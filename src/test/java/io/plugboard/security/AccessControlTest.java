package io.plugboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.PlugboardApplication;
import io.plugboard.support.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Access control on a server with tokens configured: every endpoint the handler mappings serve is
 * tried without a token and with each scope's token, against a table written here (an endpoint
 * missing from the table fails the test); 401 and 403 answers; cross-site writes; tokens kept out
 * of every log line, at DEBUG.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = PlugboardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"logging.level.io.plugboard=DEBUG", "logging.level.org.springframework.security=DEBUG",
            "plugboard.access-log.enabled=true", "plugboard.cors.allowed-origins=https://console.example"})
class AccessControlTest {

    static final Map<String, String> TOKENS = Map.of("read", "reader-3f9a1c", "infer", "inferer-77b2d0",
            "admin", "administrator-c41e88");

    /** The scope each endpoint needs ("open" for none), keyed "METHOD pattern". */
    private static final Map<String, String> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("GET /v1/models", "read"), Map.entry("POST /v1/models", "admin"),
            Map.entry("GET /v1/models/{id}", "read"), Map.entry("DELETE /v1/models/{id}", "admin"),
            Map.entry("POST /v1/models/{id}/versions", "admin"),
            Map.entry("GET /v1/models/{id}/versions/{version}", "read"),
            Map.entry("DELETE /v1/models/{id}/versions/{version}", "admin"),
            Map.entry("POST /v1/models/{id}/infer", "infer"),
            Map.entry("POST /v1/models/{id}/versions/{version}/infer", "infer"),
            Map.entry("GET /v1/formats", "read"), Map.entry("GET /v1/hardware", "read"),
            Map.entry("GET /v2", "read"), Map.entry("GET /v2/", "read"), Map.entry("GET /v2/health/live", "read"),
            Map.entry("GET /v2/health/ready", "read"), Map.entry("GET /v2/models/{name}", "read"),
            Map.entry("GET /v2/models/{name}/versions/{version}", "read"),
            Map.entry("GET /v2/models/{name}/ready", "read"),
            Map.entry("GET /v2/models/{name}/versions/{version}/ready", "read"),
            Map.entry("GET /v2/models/{name}/config", "read"),
            Map.entry("GET /v2/models/{name}/versions/{version}/config", "read"),
            Map.entry("GET /v2/models/stats", "read"), Map.entry("GET /v2/models/{name}/stats", "read"),
            Map.entry("GET /v2/models/{name}/versions/{version}/stats", "read"),
            Map.entry("POST /v2/models/{name}/infer", "infer"),
            Map.entry("POST /v2/models/{name}/versions/{version}/infer", "infer"),
            Map.entry("POST /v2/repository/index", "read"),
            Map.entry("POST /v2/repository/models/{name}/load", "admin"),
            Map.entry("POST /v2/repository/models/{name}/unload", "admin")));

    @DynamicPropertySource
    static void tokens(DynamicPropertyRegistry registry) throws Exception {
        registry.add("plugboard.store.path", () -> temp().toString());
        int i = 0;
        for (Map.Entry<String, String> token : new TreeMap<>(TOKENS).entrySet()) {
            String prefix = "plugboard.security.tokens[" + i++ + "].";
            registry.add(prefix + "name", () -> token.getKey() + "-client");
            registry.add(prefix + "sha256", () -> sha256(token.getValue()));
            registry.add(prefix + "scopes", token::getKey);
        }
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("plugboard-access");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String sha256(String token) {
        return HexFormat.of().formatHex(TokenRegistry.sha256(token));
    }

    @Autowired
    private Environment environment;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    private final HttpClient client = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void base() {
        base = "http://127.0.0.1:" + environment.getProperty("local.server.port");
    }

    HttpResponse<String> send(String method, String path, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every "METHOD pattern" the application's controllers serve. */
    private List<String> endpoints() {
        List<String> found = new ArrayList<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith("/v1") || pattern.startsWith("/v2")) {
                    info.getMethodsCondition().getMethods().forEach(m -> found.add(m.name() + " " + pattern));
                }
            }
        }
        return found;
    }

    @Test
    void everyEndpointNeedsExactlyItsScope() throws Exception {
        assertThat(new TreeMap<>(Map.of("endpoints", endpoints().stream().sorted().distinct().toList())))
                .as("an endpoint without a rule in this table").isEqualTo(Map.of("endpoints",
                        EXPECTED.keySet().stream().toList()));
        for (Map.Entry<String, String> endpoint : EXPECTED.entrySet()) {
            String method = endpoint.getKey().split(" ")[0];
            String path = endpoint.getKey().split(" ")[1].replaceAll("\\{[a-z]+}", "1");
            List<String> granted = switch (endpoint.getValue()) {
                case "read" -> List.of("read", "infer", "admin");
                case "infer" -> List.of("infer", "admin");
                default -> List.of("admin");
            };
            HttpResponse<String> anonymous = send(method, path, null, Map.of());
            assertThat(anonymous.statusCode()).as("%s without a token", endpoint.getKey()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
            for (String scope : List.of("read", "infer", "admin")) {
                HttpResponse<String> reply = send(method, path, TOKENS.get(scope), Map.of());
                if (granted.contains(scope)) {
                    assertThat(reply.statusCode()).as("%s with %s", endpoint.getKey(), scope).isNotIn(401, 403);
                } else {
                    assertThat(reply.statusCode()).as("%s with %s", endpoint.getKey(), scope).isEqualTo(403);
                    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                    assertThat(reply.body()).contains("https://plugboard.io/problems/forbidden");
                }
            }
        }
    }

    @Test
    void probesAndTheScrapeStayOpenAndNothingElseOfTheActuatorIsExposed() throws Exception {
        assertThat(send("GET", "/actuator/health/liveness", null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/health/readiness", null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/prometheus", null, Map.of()).statusCode()).isEqualTo(200);
        // a scraper or probe with a stale token still gets through where no token is needed
        assertThat(send("GET", "/actuator/prometheus", "stale", Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/health/readiness", "stale", Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/metrics", TOKENS.get("admin"), Map.of()).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/actuator/env", TOKENS.get("admin"), Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void anUnknownTokenIsA401WithAProblemAndARequestId() throws Exception {
        HttpResponse<String> reply = send("GET", "/v1/models", "guessed", Map.of("X-Request-Id", "trace-42"));
        assertThat(reply.statusCode()).isEqualTo(401);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(reply.headers().firstValue("X-Request-Id")).hasValue("trace-42");
        assertThat(Http.JSON.readTree(reply.body()).get("requestId").asString()).isEqualTo("trace-42");
        assertThat(reply.body()).contains("https://plugboard.io/problems/unauthorized").doesNotContain("guessed");
        // problems written by Spring MVC carry it too
        HttpResponse<String> missing = send("GET", "/v1/models/nope", TOKENS.get("read"), Map.of("X-Request-Id", "trace-43"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Http.JSON.readTree(missing.body()).get("requestId").asString()).isEqualTo("trace-43");
    }

    @Test
    void crossSiteWritesAreRefusedTokenOrNot() throws Exception {
        HttpResponse<String> evil = send("POST", "/v2/repository/models/x/unload", TOKENS.get("admin"),
                Map.of("Origin", "https://evil.example"));
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.body()).contains("https://plugboard.io/problems/cross-origin");
        HttpResponse<String> allowed = send("POST", "/v2/repository/models/x/unload", TOKENS.get("admin"),
                Map.of("Origin", "https://console.example"));
        assertThat(allowed.statusCode()).isEqualTo(404); // past access control: no such model
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example");
        HttpResponse<String> preflight = send("OPTIONS", "/v1/models", null, Map.of("Origin", "https://console.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"));
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example");
        HttpResponse<String> foreign = send("OPTIONS", "/v1/models", null, Map.of("Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST"));
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aCrossSiteUploadIsRefusedAndStoresNothing() throws Exception {
        String boundary = "b0undary";
        byte[] model = Files.readAllBytes(Path.of("src/test/resources/models/onnx/add_mul.onnx"));
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes());
        body.writeBytes(model);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes());
        HttpResponse<String> reply = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Origin", "https://evil.example").header("Authorization", "Bearer " + TOKENS.get("admin"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(403);
        assertThat(reply.body()).contains("cross-origin");
        assertThat(send("GET", "/v1/models", TOKENS.get("read"), Map.of()).body()).isEqualTo("{\"models\":[]}");
    }

    @Test
    void theOpenApiDocumentOffersABearerScheme() throws Exception {
        var docs = Http.JSON.readTree(send("GET", "/v3/api-docs", null, Map.of()).body());
        assertThat(docs.get("components").get("securitySchemes").get("bearer-token").get("scheme").asString())
                .isEqualTo("bearer");
        assertThat(docs.get("info").get("title").asString()).isEqualTo("Plugboard");
    }

    @Test
    void noTokenReachesAnyLogLine(CapturedOutput output) throws Exception {
        for (String token : TOKENS.values()) {
            send("GET", "/v1/models", token, Map.of());
            send("POST", "/v1/models/x/infer", token, Map.of());
        }
        send("GET", "/v1/models", "wrong-" + TOKENS.get("admin"), Map.of());
        assertThat(output.getAll()).contains("plugboard.access", "caller=admin-client");
        for (String token : TOKENS.values()) {
            assertThat(output.getAll()).doesNotContain(token);
        }
    }
}
