package io.plugboard.backend.h2o;

import hex.ModelCategory;
import hex.genmodel.MojoModel;
import io.plugboard.backend.Backend;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Serves H2O MOJOs with h2o-genmodel (pure Java). Tabular: one input per feature column, shape
 * {@code [-1]} (one element per row), FP64 for numeric columns and BYTES for categorical ones.
 * Outputs: {@code predict} (FP64 for regression, BYTES class label for classifiers) and, for
 * classifiers, {@code probabilities} (FP64 {@code [-1, classes]}, in the order of the response
 * domain).
 */
public final class MojoBackend implements Backend {

    @Override
    public String name() {
        return "h2o-genmodel";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.H2O_MOJO);
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public LoadedModel load(ModelSource source, io.plugboard.backend.Target target) {
        MojoArchiveCheck.check(source.mainPath());
        MojoModel model;
        try {
            model = MojoModel.load(source.mainPath().toString());
        } catch (IOException | RuntimeException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "h2o-genmodel could not load the MOJO: "
                    + e.getMessage(), e);
        }
        ModelCategory category = model.getModelCategory();
        if (category != ModelCategory.Regression && category != ModelCategory.Binomial
                && category != ModelCategory.Multinomial) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, "H2O " + category + " models are not served; "
                    + "regression, binomial and multinomial models are.");
        }
        try {
            return new MojoLoadedModel(model, signature(model, category), target);
        } catch (RuntimeException e) {
            if (e instanceof PlugboardException) {
                throw e;
            }
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The MOJO's description does not hold "
                    + "together: " + e, e);
        }
    }

    /** Columns in order (categorical ones as strings), and the prediction (with class probabilities). */
    private static ModelSignature signature(MojoModel model, ModelCategory category) {
        List<TensorSpec> inputs = new ArrayList<>();
        String[] names = model.getNames();
        for (int i = 0; i < model.getNumCols(); i++) {
            boolean categorical = model.getDomainValues(i) != null;
            inputs.add(new TensorSpec(names[i], categorical ? DataType.BYTES : DataType.FP64, new long[] {-1}));
        }
        List<TensorSpec> outputs = new ArrayList<>();
        if (category == ModelCategory.Regression) {
            outputs.add(new TensorSpec("predict", DataType.FP64, new long[] {-1}));
        } else {
            outputs.add(new TensorSpec("predict", DataType.BYTES, new long[] {-1}));
            outputs.add(new TensorSpec("probabilities", DataType.FP64, new long[] {-1, model.getNumResponseClasses()}));
        }
        return new ModelSignature(inputs, outputs);
    }

    @Override
    public void close() {
        // pure Java: nothing native to release
    }
}
