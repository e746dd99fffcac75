package io.plugboard.api;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/** An {@link AsyncListener} that ignores every event it does not override. */
public interface QuietAsyncListener extends AsyncListener {

    /** A listener that runs {@code action} when the exchange completes, and ignores the rest. */
    static QuietAsyncListener onComplete(Runnable action) {
        return new QuietAsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                action.run();
            }
        };
    }

    @Override
    default void onComplete(AsyncEvent event) {
    }

    @Override
    default void onTimeout(AsyncEvent event) {
    }

    @Override
    default void onError(AsyncEvent event) {
    }

    @Override
    default void onStartAsync(AsyncEvent event) {
    }
}
