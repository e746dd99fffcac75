package io.plugboard.backend;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model runs, or where it is asked to run: a kind and, for GPU kinds, a device index.
 * Written {@code auto | cpu | openvino | cuda | cuda:N | tensorrt | tensorrt:N}; a GPU kind without
 * an index is a request for any device of that kind. Targets a backend offers always carry their
 * index.
 */
public record Target(Kind kind, Integer device) {

    /** The kinds of target, best first where a choice is made. */
    public enum Kind {
        AUTO, TENSORRT, CUDA, OPENVINO, CPU;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** True for kinds that live on a numbered GPU. */
        public boolean indexed() {
            return this == CUDA || this == TENSORRT;
        }
    }

    public static final Target AUTO = new Target(Kind.AUTO, null);
    public static final Target CPU = new Target(Kind.CPU, null);
    public static final Target OPENVINO = new Target(Kind.OPENVINO, null);

    private static final Pattern FORM = Pattern.compile("(auto|cpu|openvino|cuda|tensorrt)(?::([0-9]{1,2}))?");
    private static final String FORMS = "auto, cpu, cuda, cuda:N, tensorrt, tensorrt:N, openvino";

    public Target {
        if (kind == null) {
            throw new IllegalArgumentException("a target needs a kind");
        }
        if (device != null && (!kind.indexed() || device < 0)) {
            throw new IllegalArgumentException(kind.id() + " takes no device index " + device);
        }
    }

    public static Target cuda(int device) {
        return new Target(Kind.CUDA, device);
    }

    public static Target tensorrt(int device) {
        return new Target(Kind.TENSORRT, device);
    }

    /**
     * Reads a target as users write it (case and surrounding blanks ignored; absent means auto).
     *
     * @throws PlugboardException {@code INVALID_PARAMETER} naming the accepted forms
     */
    @JsonCreator
    public static Target parse(String text) {
        if (text == null || text.isBlank()) {
            return AUTO;
        }
        Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        Kind kind = m.matches() ? Kind.valueOf(m.group(1).toUpperCase(Locale.ROOT)) : null;
        if (kind == null || m.group(2) != null && !kind.indexed()) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "target '" + text + "' is not one of "
                    + FORMS + ".", Map.of("parameter", "target"));
        }
        return new Target(kind, m.group(2) == null ? null : Integer.valueOf(m.group(2)));
    }

    /** The device index, 0 when none is named. */
    public int deviceOrZero() {
        return device == null ? 0 : device;
    }

    /** Whether this offered target satisfies {@code requested} (same kind; same device if one is named). */
    public boolean satisfies(Target requested) {
        return requested.kind == Kind.AUTO
                || requested.kind == kind && (requested.device == null || requested.device.equals(device));
    }

    @JsonValue
    @Override
    public String toString() {
        return device == null ? kind.id() : kind.id() + ":" + device;
    }
}
