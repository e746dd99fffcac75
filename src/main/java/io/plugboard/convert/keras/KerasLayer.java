package io.plugboard.convert.keras;

import tools.jackson.databind.JsonNode;

/**
 * One layer entry of a model config: its class, its name, its settings and (in functional models)
 * the calls made on it.
 */
record KerasLayer(String className, String name, KerasLayerConfig config, JsonNode entry) {

    static KerasLayer of(JsonNode entry, String fallbackName) {
        if (entry == null || !entry.isObject()) {
            throw KerasProblems.notAModel("a layer entry is not a JSON object");
        }
        JsonNode cls = entry.get("class_name");
        if (cls == null || !cls.isString()) {
            throw KerasProblems.notAModel("a layer entry has no class_name");
        }
        JsonNode cfg = entry.get("config");
        String name = null;
        JsonNode n = entry.get("name");
        if (n != null && n.isString()) {
            name = n.stringValue();
        }
        if (cfg != null && cfg.isObject() && cfg.get("name") != null && cfg.get("name").isString()) {
            name = cfg.get("name").stringValue();
        }
        if (name == null) {
            name = fallbackName;
        }
        if (name.length() > 1000) {
            throw KerasProblems.notAModel("a layer name is too long");
        }
        return new KerasLayer(cls.stringValue(), name, new KerasLayerConfig(name, cfg), entry);
    }

    boolean isModel() {
        return KerasModelGraph.isModelClass(className);
    }
}
