package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.info.BuildProperties;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.context.support.StaticWebApplicationContext;

/** Which requests the inference endpoints' own lookup claims, and what it leaves to Spring MVC. */
class InferenceHandlerMappingTest {

    private final InferenceController v1 = new InferenceController(null);
    private final V2Controller v2 = new V2Controller(null, null, null, null, null,
            new StaticListableBeanFactory().getBeanProvider(BuildProperties.class), null);
    private final InferenceHandlerMapping mapping = mapping();

    private InferenceHandlerMapping mapping() {
        InferenceHandlerMapping m = new InferenceHandlerMapping(v1, v2);
        m.setApplicationContext(new StaticWebApplicationContext());
        return m;
    }

    private static MockHttpServletRequest post(String path, String contentType) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
        if (contentType != null) {
            request.setContentType(contentType);
        }
        return request;
    }

    private HandlerMethod handler(MockHttpServletRequest request) throws Exception {
        HandlerExecutionChain chain = mapping.getHandler(request);
        return chain == null ? null : (HandlerMethod) chain.getHandler();
    }

    @Test
    void claimsTheFourInferencePathsWithTheirVariablesAndPatterns() throws Exception {
        record Case(String path, Object bean, String pattern, Map<String, String> variables) {
        }
        for (Case c : new Case[] {
                new Case("/v1/models/mlp/infer", v1, "/v1/models/{id}/infer", Map.of("id", "mlp")),
                new Case("/v1/models/a.b_c-1/versions/12/infer", v1, "/v1/models/{id}/versions/{version}/infer",
                        Map.of("id", "a.b_c-1", "version", "12")),
                new Case("/v2/models/mlp/infer", v2, "/v2/models/{name}/infer", Map.of("name", "mlp")),
                new Case("/v2/models/mlp/versions/x/infer", v2, "/v2/models/{name}/versions/{version}/infer",
                        Map.of("name", "mlp", "version", "x"))}) {
            MockHttpServletRequest request = post(c.path(), "application/json");
            HandlerMethod handler = handler(request);
            assertThat(handler).as(c.path()).isNotNull();
            assertThat(handler.getBean()).isSameAs(c.bean());
            assertThat(handler.getMethod().getName()).isEqualTo("infer");
            assertThat(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE)).isEqualTo(c.pattern());
            assertThat(request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE)).isEqualTo(c.variables());
        }
        assertThat(handler(post("/v1/models/mlp/infer", "application/octet-stream"))).isNotNull();
        assertThat(handler(post("/v1/models/mlp/infer", "application/json; charset=UTF-8"))).isNotNull();
        assertThat(handler(post("/v1/models/mlp/infer", null))).isNotNull();
        MockHttpServletRequest anyAccept = post("/v2/models/mlp/infer", "application/json");
        anyAccept.addHeader("Accept", "*/*");
        assertThat(handler(anyAccept)).isNotNull();
    }

    @Test
    void leavesEverythingElseToTheAnnotatedMappings() throws Exception {
        assertThat(handler(new MockHttpServletRequest("GET", "/v1/models/mlp/infer"))).isNull();
        for (String path : new String[] {"/v1/models/mlp", "/v1/models//infer", "/v1/models/a/b/infer",
                "/v1/models/mlp/versions//infer", "/v1/models/mlp/infer/", "/v3/models/mlp/infer",
                "/v1/modelz/mlp/infer", "/v1/models/ml%2Fp/infer", "/v1/models/mlp;x=1/infer", "/v2/infer"}) {
            assertThat(handler(post(path, "application/json"))).as(path).isNull();
        }
        assertThat(handler(post("/v1/models/mlp/infer", "text/plain"))).isNull();
        assertThat(handler(post("/v1/models/mlp/infer", "application/json-patch+json"))).isNull();
        MockHttpServletRequest html = post("/v1/models/mlp/infer", "application/json");
        html.addHeader("Accept", "text/html");
        assertThat(handler(html)).isNull();
    }

    @Test
    void v2TakesAnyMediaTypeAsTriton() throws Exception {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/json"}) {
            MockHttpServletRequest request = post("/v2/models/mlp/infer", type);
            request.addHeader("Accept", "text/html");
            assertThat(handler(request)).as(type).isNotNull();
        }
    }
}
