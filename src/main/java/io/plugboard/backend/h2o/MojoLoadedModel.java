package io.plugboard.backend.h2o;

import hex.ModelCategory;
import hex.genmodel.MojoModel;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import hex.genmodel.easy.exception.PredictException;
import hex.genmodel.easy.prediction.AbstractPrediction;
import hex.genmodel.easy.prediction.BinomialModelPrediction;
import hex.genmodel.easy.prediction.MultinomialModelPrediction;
import hex.genmodel.easy.prediction.RegressionModelPrediction;
import io.plugboard.backend.BaseLoadedModel;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A MOJO; each instance has its own prediction wrapper, rows are scored one by one. */
final class MojoLoadedModel extends BaseLoadedModel {

    private final MojoModel model;

    MojoLoadedModel(MojoModel model, ModelSignature signature, io.plugboard.backend.Target target) {
        super(signature, target);
        this.model = model;
    }

    @Override
    public ModelInstance newInstance() {
        EasyPredictModelWrapper wrapper = new EasyPredictModelWrapper(new EasyPredictModelWrapper.Config().setModel(model));
        return new ModelInstance() {
            @Override
            public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
                return score(wrapper, inputs, outputs);
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }

    private Map<String, Tensor> score(EasyPredictModelWrapper wrapper, Map<String, Tensor> inputs, Set<String> wanted) {
        int rows = -1;
        for (TensorSpec spec : signature().inputs()) {
            int n = (int) inputs.get(spec.name()).dim(0);
            if (rows >= 0 && n != rows) {
                throw new PlugboardException(ProblemType.SHAPE_MISMATCH, "Every column must have the same number of "
                        + "rows; '" + spec.name() + "' has " + n + ", others " + rows + ".", Map.of("input", spec.name()));
            }
            rows = n;
        }
        if (rows < 0) {
            throw new PlugboardException(ProblemType.INFERENCE_FAILED, "The model takes no input column, so a request "
                    + "cannot say how many rows to score.");
        }
        boolean regression = model.getModelCategory() == ModelCategory.Regression;
        int classes = regression ? 0 : model.getNumResponseClasses();
        ByteBuffer values = ByteBuffer.allocate(Math.max(rows, 0) * 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer probabilities = ByteBuffer.allocate(regression ? 0 : rows * classes * 8).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> labels = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            RowData row = new RowData();
            for (TensorSpec spec : signature().inputs()) {
                Tensor column = inputs.get(spec.name());
                if (spec.datatype() == DataType.BYTES) {
                    row.put(spec.name(), new String(column.elements().get(r), StandardCharsets.UTF_8));
                } else {
                    row.put(spec.name(), column.data().getDouble(r * 8));
                }
            }
            AbstractPrediction p;
            try {
                p = wrapper.predict(row);
            } catch (PredictException | RuntimeException e) {
                throw new PlugboardException(ProblemType.INFERENCE_FAILED, "h2o-genmodel rejected row " + r + ": "
                        + e.getMessage(), e);
            }
            switch (p) {
                case RegressionModelPrediction reg -> values.putDouble(reg.value);
                case BinomialModelPrediction bin -> {
                    labels.add(bin.label.getBytes(StandardCharsets.UTF_8));
                    for (double d : bin.classProbabilities) {
                        probabilities.putDouble(d);
                    }
                }
                case MultinomialModelPrediction multi -> {
                    labels.add(multi.label.getBytes(StandardCharsets.UTF_8));
                    for (double d : multi.classProbabilities) {
                        probabilities.putDouble(d);
                    }
                }
                default -> throw new IllegalStateException(p.getClass().getName());
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (regression) {
            out.put("predict", Tensor.of(DataType.FP64, new long[] {rows}, values.flip()));
        } else {
            out.put("predict", Tensor.ofBytes(new long[] {rows}, labels));
            out.put("probabilities", Tensor.of(DataType.FP64, new long[] {rows, classes}, probabilities.flip()));
        }
        out.keySet().retainAll(wanted.isEmpty() ? out.keySet() : wanted);
        return out;
    }

    @Override
    public void close() {
        // pure Java: the model is garbage-collected
    }
}
