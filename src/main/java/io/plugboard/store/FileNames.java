package io.plugboard.store;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;

/** Validates the relative file names users upload, so no name can escape its model's folder. */
public final class FileNames {

    private static final int MAX_LENGTH = 255;
    private static final int MAX_DEPTH = 16;

    private FileNames() {
    }

    /**
     * Returns the name normalised to forward slashes.
     *
     * @throws PlugboardException {@code INVALID_FILE_NAME} for absolute paths, {@code ..}, empty or
     *     hidden-control segments, characters beyond the basic plane, drive letters and over-long names
     */
    public static String requireSafeRelative(String name) {
        if (name == null || name.isBlank()) {
            throw invalid(name, "it is empty");
        }
        String n = name.replace('\\', '/');
        if (n.length() > MAX_LENGTH) {
            throw invalid(name, "it is longer than " + MAX_LENGTH + " characters");
        }
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*")) {
            throw invalid(name, "it is an absolute path");
        }
        String[] segments = n.split("/", -1);
        if (segments.length > MAX_DEPTH) {
            throw invalid(name, "it is nested deeper than " + MAX_DEPTH + " folders");
        }
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid(name, "it has an empty, '.' or '..' path segment");
            }
            for (int i = 0; i < segment.length(); i++) {
                if (Character.isISOControl(segment.charAt(i))) {
                    throw invalid(name, "it contains control characters");
                }
                if (Character.isSurrogate(segment.charAt(i))) { // JNI hands native loaders modified UTF-8
                    throw invalid(name, "it contains a character beyond Unicode's basic plane (such as an emoji), "
                            + "which the engines' native loaders cannot open; rename the file");
                }
            }
        }
        return n;
    }

    private static PlugboardException invalid(String name, String why) {
        return new PlugboardException(ProblemType.INVALID_FILE_NAME,
                "File name '" + name + "' is refused: " + why + ".");
    }
}
