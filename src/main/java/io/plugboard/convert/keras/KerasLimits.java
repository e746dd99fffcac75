package io.plugboard.convert.keras;

/**
 * Bounds applied to an uploaded Keras file before anything it declares is believed.
 *
 * @param maxLayers most layers in the whole model, nested models and wrapped layers included
 * @param maxWeightBytes most bytes of weights read from the file
 * @param maxNesting deepest nesting of models inside models
 */
public record KerasLimits(int maxLayers, long maxWeightBytes, int maxNesting) {

    public static final KerasLimits DEFAULTS = new KerasLimits(10_000, 4L * 1024 * 1024 * 1024, 8);

    public KerasLimits {
        if (maxLayers < 1 || maxWeightBytes < 0 || maxNesting < 0) {
            throw new IllegalArgumentException("Keras limits must be positive");
        }
    }
}
