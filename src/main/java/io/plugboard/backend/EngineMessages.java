package io.plugboard.backend;

/**
 * Engine error messages as clients see them: native engines put stack traces and logs after the
 * first line, and name files by the paths of the machine that built them (OpenCV's
 * {@code /home/runner/work/javacpp-presets/…/convolution_layer.cpp:420}) or of this server's
 * folders; a client sees the file name only.
 */
public final class EngineMessages {

    private static final int MAX_LENGTH = 500;
    /** An absolute path of two or more segments, not inside a word or a URL; group 1 is its last segment. */
    private static final java.util.regex.Pattern PATH =
            java.util.regex.Pattern.compile("(?<![\\w.:/])/(?:[\\w.+@~-]+/)+([\\w.+@~-]*)");

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
        if (line.length() > 4 * MAX_LENGTH) {
            line = line.substring(0, 4 * MAX_LENGTH); // the pattern below runs on a bounded text
        }
        line = PATH.matcher(line).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1)));
        return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "…" : line;
    }
}
