package io.plugboard.convert.keras;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Parses the JSON documents of a Keras file under fixed bounds. */
final class KerasJson {

    private final JsonMapper mapper;

    KerasJson() {
        JsonFactory factory = JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(200)
                        .maxStringLength(1_000_000)
                        .maxNameLength(10_000)
                        .maxNumberLength(400)
                        .maxDocumentLength(H5Values.MAX_STRING_BYTES)
                        .build())
                .build();
        mapper = JsonMapper.builder(factory).build();
    }

    JsonNode parse(String json, String what) {
        if (json == null || json.isBlank()) {
            throw KerasProblems.notAModel(what + " is empty");
        }
        try {
            JsonNode node = mapper.readTree(json);
            if (node == null || !node.isObject()) {
                throw KerasProblems.notAModel(what + " is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw KerasProblems.notAModel(what + " is not valid JSON", e);
        }
    }
}
