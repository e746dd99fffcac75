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

    /** Where a model may go, in the order to try, and why. */
    record Placement(List<String> candidates, String reason) {
    }

    private TargetPlacement() {
    }

    static Placement place(String requested, List<String> available, Map<String, String> unavailable) {
        String wanted = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase();
        if (!wanted.matches("auto|cpu|cuda|tensorrt|openvino|(cuda|tensorrt):[0-9]{1,2}")) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "target '" + requested
                    + "' is not one of auto, cpu, cuda, cuda:N, tensorrt, tensorrt:N, openvino.",
                    Map.of("parameter", "target"));
        }
        String notes = unavailable.isEmpty() ? "" : " (" + unavailable.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining("; ")) + ")";
        if (wanted.equals("auto")) {
            return new Placement(available, "auto: best available of " + available + notes);
        }
        for (String target : available) {
            if (target.equals(wanted) || target.startsWith(wanted + ":")) {
                return new Placement(List.of(target), "requested " + wanted);
            }
        }
        String kind = wanted.contains(":") ? wanted.substring(0, wanted.indexOf(':')) : wanted;
        String why = unavailable.containsKey(kind) ? kind + " is unavailable: " + unavailable.get(kind)
                : "available here: " + available;
        throw new PlugboardException(ProblemType.TARGET_UNAVAILABLE, "Target '" + wanted
                + "' is not available for this model on this host; " + why + ".",
                Map.of("target", wanted, "available", available));
    }
}
