package io.plugboard.model;

/** Where a model is in its life: {@code LOADING → READY | FAILED}. */
public enum ModelState {
    LOADING, READY, FAILED
}
