package io.plugboard.lifecycle;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Model ids: the form a chosen name must have, and the one made from a file name when none is given. */
public final class ModelIds {

    public static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,62}$");

    private ModelIds() {
    }

    /** The id for an upload: its {@code name} if given (validated), else one made from {@code fileName}. */
    public static String forUpload(String name, String fileName) {
        return name == null || name.isBlank() ? generated(fileName) : valid(name);
    }

    /**
     * @throws PlugboardException {@code INVALID_MODEL_NAME} when {@code name} does not match {@link #NAME}
     */
    public static String valid(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new PlugboardException(ProblemType.INVALID_MODEL_NAME, "Model name '" + name
                    + "' must match " + NAME.pattern() + " (lower-case letters, digits, '.', '_' and '-', "
                    + "at most 63 characters, starting with a letter or digit).", Map.of("name", name));
        }
        return name;
    }

    /** The file's base name made id-safe, with a random suffix: {@code resnet50-1a2b3c4d}. */
    static String generated(String fileName) {
        String base = fileName == null ? "" : fileName.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        base = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        if (base.length() > 48) {
            base = base.substring(0, 48);
        }
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 8);
        return (base.isEmpty() ? "model" : base) + "-" + suffix;
    }
}
