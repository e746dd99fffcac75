package io.plugboard.backend;

/** Engine error messages as clients see them: native engines put stack traces and logs after the first line. */
public final class EngineMessages {

    private static final int MAX_LENGTH = 500;

    private EngineMessages() {
    }

    /** The first line of an engine's message, at most 500 characters. */
    public static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = message.strip();
        int nl = line.indexOf('\n');
        line = nl > 0 ? line.substring(0, nl) : line;
        return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "…" : line;
    }
}
