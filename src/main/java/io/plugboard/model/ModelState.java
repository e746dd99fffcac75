package io.plugboard.model;

/**
 * Where a model version is in its life: {@code LOADING → READY | FAILED}; {@code UNLOADED} when it is
 * stored but released from memory (model repository {@code unload}).
 */
public enum ModelState {
    LOADING, READY, FAILED, UNLOADED
}
