package io.plugboard.backend.djl;

import ai.djl.Model;
import io.plugboard.backend.EngineMessages;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Serves MXNet models ({@code <prefix>-symbol.json} + {@code <prefix>-NNNN.params}) with DJL's
 * MXNet engine (MXNet 1.9.1, MKL). Inputs keep the symbol's data names (FP32, shapes not
 * declared); outputs are {@code output0..M-1} in the order of the symbol's heads.
 */
public final class MxNetBackend extends DjlBackend {

    public MxNetBackend(DjlRuntime runtime) {
        super(runtime, "MXNet");
    }

    @Override
    public String name() {
        return "mxnet";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.MXNET);
    }

    @Override
    public LoadedModel load(ModelSource source, io.plugboard.backend.Target target) {
        Path symbol = findSymbol(source);
        try {
            MxNetSymbolCheck.check(symbol);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        engine();
        String prefix = symbol.getFileName().toString().replaceFirst("-symbol\\.json$", "");
        Path dir = symbol.getParent();
        List<String> inputs = inputNames(dir, prefix);
        ModelSignature signature = declared(source, inputs).orElseGet(() -> new ModelSignature(
                inputs.stream().map(n -> new TensorSpec(n, DataType.FP32, null)).toList(), List.of()));
        return loadModel(dir, target, Map.of("epoch", "0"), signature, "MXNet could not load the model", prefix);
    }

    /**
     * The {@code signature} field, when given: it must name the symbol's data inputs (in any
     * order); its shapes let inputs be checked and the model warm up before it serves.
     */
    private static java.util.Optional<ModelSignature> declared(ModelSource source, List<String> inputs) {
        String json = source.options().signature();
        if (json == null) {
            return java.util.Optional.empty();
        }
        ModelSignature parsed = SignatureParser.parse(json);
        Set<String> names = new java.util.HashSet<>();
        parsed.inputs().forEach(spec -> names.add(spec.name()));
        if (!names.equals(new java.util.HashSet<>(inputs))) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "The 'signature' field names inputs "
                    + names + ", but the MXNet symbol's data inputs are " + inputs + ".",
                    Map.of("parameter", "signature"));
        }
        List<TensorSpec> ordered = inputs.stream().map(n -> parsed.inputs().stream()
                .filter(spec -> spec.name().equals(n)).findFirst().orElseThrow()).toList();
        return java.util.Optional.of(new ModelSignature(ordered, parsed.outputs()));
    }

    private static Path findSymbol(ModelSource source) {
        try (Stream<Path> files = Files.walk(source.directory())) {
            return files.filter(p -> p.getFileName().toString().endsWith("-symbol.json")).findFirst()
                    .orElseThrow(() -> new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "An MXNet model needs "
                            + "<name>-symbol.json and <name>-0000.params, uploaded together with those names."));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The symbol's data inputs: its arg nodes that no params entry supplies, read with a probe load. */
    private List<String> inputNames(Path dir, String prefix) {
        try (Model probe = Model.newInstance("mxnet-probe", ai.djl.Device.cpu(), "MXNet")) {
            probe.load(dir, prefix);
            return probe.getBlock().describeInput().keys();
        } catch (IOException | ai.djl.MalformedModelException | RuntimeException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "MXNet could not load the model: "
                    + EngineMessages.firstLine(e.getMessage()), e);
        }
    }
}
