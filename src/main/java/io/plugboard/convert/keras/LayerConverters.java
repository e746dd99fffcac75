package io.plugboard.convert.keras;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The converter of each supported Keras layer class. */
final class LayerConverters {

    private final Map<String, LayerConverter> byClass = new HashMap<>();

    LayerConverters() {
        CoreLayers.register(byClass);
        ActivationLayers.register(byClass);
        ConvolutionLayers.register(byClass);
        PoolingLayers.register(byClass);
        NormalizationLayers.register(byClass);
        ReshapingLayers.register(byClass);
        MergeLayers.register(byClass);
        RecurrentLayers.register(byClass);
        WrapperLayers.register(byClass);
    }

    LayerConverter get(String className) {
        return byClass.get(className);
    }

    boolean supports(String className) {
        return byClass.containsKey(className);
    }

    Set<String> classes() {
        return Set.copyOf(byClass.keySet());
    }
}
