package io.plugboard.format;

/**
 * What the detector recognised: the format, the file that carries the model (the others are its
 * companions: weights, external data, variables), and the evidence, for messages and logs.
 */
public record Detection(ModelFormat format, String mainFile, String evidence) {
}
