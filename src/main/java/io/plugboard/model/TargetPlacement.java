package io.plugboard.model;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.List;
import java.util.Map;

/**
 * Turns a requested target ({@code auto | cpu | cuda | cuda:N | tensorrt | tensorrt:N | openvino})
 * into one the backend can use here. {@code auto} takes the best available; an explicit target this
 * host lacks is refused, never silently moved.
 */
final class TargetPlacement {

    /** Where a model goes and why. */
    record Placement(String target, String reason) {
    }

    private TargetPlacement() {
    }

    static Placement place(String requested, List<String> available, String unavailableNotes) {
        String wanted = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase();
        if (!wanted.matches("auto|cpu|cuda|tensorrt|openvino|(cuda|tensorrt):[0-9]{1,2}")) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "target '" + requested
                    + "' is not one of auto, cpu, cuda, cuda:N, tensorrt, tensorrt:N, openvino.",
                    Map.of("parameter", "target"));
        }
        String notes = unavailableNotes == null || unavailableNotes.isBlank() ? "" : " (" + unavailableNotes + ")";
        if (wanted.equals("auto")) {
            String best = available.get(0);
            return new Placement(best, "auto: best available of " + available + notes);
        }
        for (String target : available) {
            if (target.equals(wanted) || target.startsWith(wanted + ":")) {
                return new Placement(target, "requested " + wanted);
            }
        }
        throw new PlugboardException(ProblemType.TARGET_UNAVAILABLE, "Target '" + wanted
                + "' is not available for this model on this host; available: " + available + notes + ".",
                Map.of("target", wanted, "available", available));
    }
}
