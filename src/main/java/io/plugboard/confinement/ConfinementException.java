package io.plugboard.confinement;

/** The process could not be confined as configured. */
public class ConfinementException extends RuntimeException {

    public ConfinementException(String message) {
        super(message);
    }

    public ConfinementException(String message, Throwable cause) {
        super(message, cause);
    }
}
