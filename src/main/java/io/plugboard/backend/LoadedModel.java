package io.plugboard.backend;

/**
 * A model held by an engine on one target (second lifecycle level). Instances made from it share
 * its weights. Closing it releases the engine's native memory: callers drain in-flight work first.
 */
public interface LoadedModel extends AutoCloseable {

    ModelSignature signature();

    /** The target the engine really runs on, e.g. "cpu" or "cuda:0". */
    Target target();

    /** A new instance that runs one request (or batch) at a time; instances share weights. */
    ModelInstance newInstance();

    @Override
    void close();
}
