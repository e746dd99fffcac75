package io.plugboard.convert.keras;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a layer's weights live: its name path from the top model (Keras 1/2 files name weights after
 * layers) and its storage path in a Keras 3 weights file (which names them after layer classes).
 */
record LayerRef(List<String> namePath, String storagePath) {

    LayerRef child(String name, String storageChild) {
        List<String> names = new ArrayList<>(namePath);
        names.add(name);
        return new LayerRef(List.copyOf(names), storagePath + "/" + storageChild);
    }

    String key() {
        return String.join("/", namePath);
    }
}
