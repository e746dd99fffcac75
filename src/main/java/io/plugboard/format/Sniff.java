package io.plugboard.format;

import java.util.Optional;

/** What one file looks like on its own; {@code main} false for parts that need a main file. */
record Sniff(CandidateFile file, ModelFormat format, boolean main, String evidence) {

    /** The file carries a model of {@code format}. */
    static Optional<Sniff> found(CandidateFile file, ModelFormat format, String evidence) {
        return Optional.of(new Sniff(file, format, true, evidence));
    }

    /** The file is a part of a {@code format} model that needs a main file beside it. */
    static Optional<Sniff> part(CandidateFile file, ModelFormat format, String evidence) {
        return Optional.of(new Sniff(file, format, false, evidence));
    }
}
