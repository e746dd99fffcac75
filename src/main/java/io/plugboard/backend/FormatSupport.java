package io.plugboard.backend;

import io.plugboard.format.ModelFormat;

/** Whether this build serves a format: by which backend, or why not and what to upload instead. */
public sealed interface FormatSupport {

    ModelFormat format();

    /** Served by {@code backend}. */
    record Served(ModelFormat format, Backend backend) implements FormatSupport {
    }

    /** Not served here: the {@code reason} and a {@code hint} at what to upload instead. */
    record NotServed(ModelFormat format, String reason, String hint) implements FormatSupport {

        /** The sentence a refused upload answers with. */
        public String explanation() {
            return "Recognised " + format.displayName() + ", which cannot be served here. " + reason + " " + hint;
        }
    }
}
