package io.plugboard.model;

/**
 * Where a model version is in its life: {@code LOADING → WARMING → READY | FAILED}. A version is
 * {@code WARMING} while each of its instances runs its first request, and serves only once
 * {@code READY}; {@code UNLOADED} when it is stored but released from memory (model repository
 * {@code unload}), from where a {@code load} takes it through {@code LOADING} again.
 */
public enum ModelState {
    LOADING, WARMING, READY, FAILED, UNLOADED
}
