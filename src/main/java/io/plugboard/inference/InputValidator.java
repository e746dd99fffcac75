package io.plugboard.inference;

import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks a request against a model's signature before anything reaches the engine. */
public final class InputValidator {

    private InputValidator() {
    }

    /** The outputs to compute: all when {@code requested} is empty. */
    public static Set<String> validate(ModelSignature signature, Map<String, Tensor> inputs, List<String> requested) {
        if (signature.positionalInputs() && !signature.inputs().isEmpty()) {
            checkNamedPositional(signature.inputs(), inputs);
            return new LinkedHashSet<>(requested == null ? List.of() : requested);
        }
        if (signature.positionalInputs()) {
            for (int i = 0; i < inputs.size(); i++) {
                if (!inputs.containsKey("input" + i)) {
                    throw new PlugboardException(ProblemType.MISSING_INPUT, "This model takes positional inputs named "
                            + "input0..input" + (inputs.size() - 1) + "; 'input" + i + "' is missing (sent: "
                            + inputs.keySet() + ").", Map.of("input", "input" + i));
                }
            }
            return new LinkedHashSet<>(requested == null ? List.of() : requested);
        }
        for (String name : inputs.keySet()) {
            if (signature.input(name).isEmpty()) {
                throw new PlugboardException(ProblemType.UNKNOWN_INPUT, "The model has no input '" + name
                        + "'; its inputs are " + names(signature.inputs()) + ".",
                        Map.of("input", name));
            }
        }
        for (TensorSpec spec : signature.inputs()) {
            Tensor tensor = inputs.get(spec.name());
            if (tensor == null) {
                throw new PlugboardException(ProblemType.MISSING_INPUT, "Input '" + spec.name()
                        + "' (" + spec.datatype() + " " + Shape.format(spec.shape()) + ") is missing.",
                        Map.of("input", spec.name()));
            }
            if (spec.datatype() != null && tensor.datatype() != spec.datatype()) {
                throw new PlugboardException(ProblemType.DATATYPE_MISMATCH, "Input '" + spec.name()
                        + "' must be " + spec.datatype() + ", not " + tensor.datatype() + ".",
                        Map.of("input", spec.name(), "expected", spec.datatype().name()));
            }
            if (!Shape.fits(spec.shape(), tensor.shape())) {
                throw new PlugboardException(ProblemType.SHAPE_MISMATCH, "Input '" + spec.name()
                        + "' has shape " + Shape.format(tensor.shape()) + "; the model expects "
                        + Shape.format(spec.shape()) + " (-1 is any size).",
                        Map.of("input", spec.name()));
            }
        }
        if (requested == null || requested.isEmpty()) {
            return signature.outputs().stream().map(TensorSpec::name)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : requested) {
            if (signature.output(name).isEmpty()) {
                throw new PlugboardException(ProblemType.UNKNOWN_OUTPUT, "The model has no output '" + name
                        + "'; its outputs are " + names(signature.outputs()) + ".",
                        Map.of("output", name));
            }
            wanted.add(name);
        }
        return wanted;
    }

    /**
     * Inputs fed by position whose names the model declares ({@code forward}'s arguments): each is
     * sent under its name or its alias {@code input<i>}, once.
     */
    private static void checkNamedPositional(List<TensorSpec> specs, Map<String, Tensor> inputs) {
        Set<String> known = new LinkedHashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            known.add(specs.get(i).name());
            known.add("input" + i);
        }
        for (String name : inputs.keySet()) {
            if (!known.contains(name)) {
                throw new PlugboardException(ProblemType.UNKNOWN_INPUT, "The model has no input '" + name
                        + "'; its inputs are " + names(specs) + " (or input0..input" + (specs.size() - 1) + ").",
                        Map.of("input", name));
            }
        }
        for (int i = 0; i < specs.size(); i++) {
            String name = specs.get(i).name();
            boolean byName = inputs.containsKey(name);
            boolean byAlias = inputs.containsKey("input" + i) && !name.equals("input" + i);
            if (byName && byAlias) {
                throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "Input '" + name + "' is sent twice, as '"
                        + name + "' and as 'input" + i + "'.", Map.of("input", name));
            }
            if (!byName && !byAlias) {
                throw new PlugboardException(ProblemType.MISSING_INPUT, "Input '" + name + "' (argument " + i
                        + " of forward) is missing.", Map.of("input", name));
            }
        }
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "[", "]"));
    }
}
