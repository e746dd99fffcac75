package io.plugboard.convert.keras;

import tools.jackson.databind.JsonNode;

/**
 * A Keras model as read from its file: the architecture, where the weights are, and which Keras
 * saved it.
 *
 * @param kerasVersion the version string the file gives, or "unknown"
 * @param backend the backend the file names ("tensorflow", "theano", ...), or "" when absent
 * @param model the model config: {@code {"class_name": ..., "config": ...}}
 * @param weights the layers' weights
 */
record KerasModelSource(String kerasVersion, String backend, JsonNode model, KerasWeights weights) {

    /** The major Keras version: 1, 2 or 3 (2 when the file does not say). */
    int majorVersion() {
        String v = kerasVersion.trim();
        if (!v.isEmpty() && Character.isDigit(v.charAt(0))) {
            int end = 0;
            while (end < v.length() && Character.isDigit(v.charAt(end))) {
                end++;
            }
            try {
                return Integer.parseInt(v.substring(0, Math.min(end, 3)));
            } catch (NumberFormatException e) {
                return 2;
            }
        }
        return 2;
    }
}
