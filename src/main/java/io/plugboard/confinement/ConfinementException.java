package io.plugboard.confinement;

/** The process could not be confined as configured. */
public class ConfinementException extends RuntimeException {

    private final boolean restricted;

    public ConfinementException(String message) {
        this(message, null, false);
    }

    public ConfinementException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public ConfinementException(String message, Throwable cause, boolean restricted) {
        super(message, cause);
        this.restricted = restricted;
    }

    /** True when the calling thread was already confined: the process cannot go on unconfined. */
    public boolean restricted() {
        return restricted;
    }
}
