package io.plugboard.serving;

import io.plugboard.backend.Target;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a requested target into the ones a backend can use here, in the order to try. {@code auto}
 * takes the best available; an explicit target this host lacks is refused, never silently moved.
 */
final class TargetPlacement {

    /** Where a model may go, in the order to try, and why. */
    record Placement(List<Target> candidates, String reason) {
    }

    private TargetPlacement() {
    }

    static Placement place(Target wanted, List<Target> available, Map<String, String> unavailable) {
        String notes = unavailable.isEmpty() ? "" : " (" + unavailable.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")) + ")";
        if (wanted.kind() == Target.Kind.AUTO) {
            return new Placement(available, "auto: best available of " + available + notes);
        }
        for (Target target : available) {
            if (target.satisfies(wanted)) {
                return new Placement(List.of(target), "requested " + wanted);
            }
        }
        String kind = wanted.kind().id();
        String why = unavailable.containsKey(kind) ? kind + " is unavailable: " + unavailable.get(kind)
                : "available here: " + available;
        throw new PlugboardException(ProblemType.TARGET_UNAVAILABLE, "Target '" + wanted
                + "' is not available for this model on this host; " + why + ".",
                Map.of("target", wanted.toString(), "available", available.stream().map(Target::toString).toList()));
    }
}
