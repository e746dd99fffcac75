package io.plugboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Reference cases written beside test models: a request and the outputs the model must give. */
public final class Cases {

    public record Case(String request, JsonNode outputs) {
    }

    private Cases() {
    }

    public static List<Case> of(Path casesFile) {
        try {
            JsonNode root = Http.JSON.readTree(Files.readString(casesFile));
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root) {
                cases.add(new Case(Http.JSON.writeValueAsString(c.get("request")), c.get("outputs")));
            }
            if (cases.isEmpty()) {
                throw new IllegalStateException(casesFile + " holds no cases");
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that a response's outputs equal the expected ones within a relative tolerance. */
    public static void assertOutputs(JsonNode response, JsonNode expected, double rtol, double atol) {
        JsonNode outputs = response.get("outputs");
        assertThat(outputs).as("outputs of %s", response).isNotNull();
        for (JsonNode want : expected) {
            JsonNode got = null;
            for (JsonNode o : outputs) {
                if (o.get("name").asString().equals(want.get("name").asString())) {
                    got = o;
                }
            }
            assertThat(got).as("output %s", want.get("name")).isNotNull();
            assertThat(got.get("datatype").asString()).isEqualTo(want.get("datatype").asString());
            assertThat(got.get("shape").toString()).isEqualTo(want.get("shape").toString());
            JsonNode a = got.get("data");
            JsonNode b = want.get("data");
            assertThat(a.size()).isEqualTo(b.size());
            for (int i = 0; i < a.size(); i++) {
                assertElement(want.get("name").asString() + "[" + i + "]", a.get(i), b.get(i), rtol, atol,
                        !want.get("datatype").asString().equals("FP64"));
            }
        }
    }

    private static void assertElement(String where, JsonNode got, JsonNode want, double rtol, double atol,
            boolean single) {
        if (want.isNumber() && want.isFloatingPointNumber()) {
            double g = got.isString() ? Double.parseDouble(got.asString()) : got.asDouble();
            double w = want.asDouble();
            if (single) {
                g = (float) g;
                w = (float) w;
            }
            assertThat(Math.abs(g - w)).as("%s: got %s, want %s", where, got, want).isLessThanOrEqualTo(atol + rtol * Math.abs(w));
        } else {
            assertThat(got.toString()).as(where).isEqualTo(want.toString());
        }
    }
}
