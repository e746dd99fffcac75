package io.plugboard.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.Target;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.PoolSettings;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * A READY version described as Triton's model configuration ({@code model_config.proto}, the
 * fields Plugboard knows), which Triton's clients and {@code perf_analyzer} read: with
 * {@code max_batch_size} above 0 the pool batches along the first dimension and {@code dims} leave
 * it out; with 0 they are the whole shape. {@code -1} marks a dynamic dimension, {@code TYPE_INVALID}
 * a datatype the model file does not declare. The names are the configuration's own (its JSON form).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfiguration(String name, String platform, String backend,
        @JsonProperty("max_batch_size") int maxBatchSize, @JsonProperty("input") List<Tensor> inputs,
        @JsonProperty("output") List<Tensor> outputs, @JsonProperty("instance_group") List<InstanceGroup> instanceGroups,
        @JsonProperty("dynamic_batching") Batching dynamicBatching) {

    /** An input or output: {@code data_type} is {@code TYPE_} and the protocol's datatype ({@code TYPE_STRING} for BYTES). */
    public record Tensor(String name, @JsonProperty("data_type") String dataType, long[] dims) {
    }

    /** The instances serving it: {@code KIND_CPU}, or {@code KIND_GPU} with the device. */
    public record InstanceGroup(String name, String kind, int count, List<Integer> gpus) {
    }

    /** Dynamic batching: how long a batch waits to fill. */
    public record Batching(@JsonProperty("max_queue_delay_microseconds") long maxQueueDelayMicroseconds) {
    }

    /** The configuration of {@code model}, which must be READY: 503 {@code model-not-ready} otherwise. */
    public static ModelConfiguration of(ServedModel model) {
        InstancePool pool = model.pool();
        ModelSignature signature = model.signature();
        Target target = model.target();
        if (model.state() != ModelState.READY || pool == null || signature == null || target == null) {
            throw model.notLoaded("a configuration");
        }
        PoolSettings settings = pool.settings();
        boolean batching = pool.batching();
        int dropped = batching ? 1 : 0;
        boolean gpu = target.kind().indexed();
        InstanceGroup group = new InstanceGroup(model.id(), gpu ? "KIND_GPU" : "KIND_CPU", settings.instances(),
                gpu && target.device() != null ? List.of(target.device()) : List.of());
        return new ModelConfiguration(model.id(), Platforms.of(model.record().format()), model.backend(),
                batching ? settings.maxBatchSize() : 0, tensors(signature.inputs(), dropped),
                tensors(signature.outputs(), dropped), List.of(group),
                batching ? new Batching(settings.maxQueueDelay().toNanos() / 1_000) : null);
    }

    /** Triton's name of a datatype. */
    public static String typeName(DataType type) {
        if (type == null) {
            return "TYPE_INVALID";
        }
        return type == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + type.name();
    }

    private static List<Tensor> tensors(List<TensorSpec> specs, int dropped) {
        return specs.stream().map(spec -> new Tensor(spec.name(), typeName(spec.datatype()),
                spec.shape() == null ? new long[0]
                        : Arrays.copyOfRange(spec.shape(), Math.min(dropped, spec.shape().length), spec.shape().length)))
                .toList();
    }
}
