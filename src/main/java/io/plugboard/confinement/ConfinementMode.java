package io.plugboard.confinement;

/** {@code plugboard.confinement.mode}. */
public enum ConfinementMode {
    /** Confine where the kernel supports Landlock; elsewhere start unconfined and say so. */
    AUTO,
    /** Refuse to start unconfined. */
    REQUIRED,
    /** Never confine. */
    OFF
}
