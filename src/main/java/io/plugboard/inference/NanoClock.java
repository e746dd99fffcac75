package io.plugboard.inference;

/** Monotonic time in nanoseconds, injected so queueing and batching are testable without sleeping. */
@FunctionalInterface
public interface NanoClock {

    long nanoTime();

    static NanoClock system() {
        return System::nanoTime;
    }
}
