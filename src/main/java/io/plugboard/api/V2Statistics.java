package io.plugboard.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.plugboard.inference.VersionStatistics;
import io.plugboard.model.ModelVersions;
import java.util.List;

/**
 * Triton's statistics extension as JSON ({@code GET /v2/models[/{name}[/versions/{v}]]/stats}):
 * one entry per loaded version. The engine call is {@code compute_infer}; input and output
 * conversion run inside it, so {@code compute_input} and {@code compute_output} count the same
 * calls with no time of their own. There is no response cache: its counts are 0.
 */
record V2Statistics(@JsonProperty("model_stats") List<ModelStats> modelStats) {

    record Duration(long count, long ns) {
        static Duration of(VersionStatistics.Tally tally) {
            return new Duration(tally.count(), tally.nanos());
        }

        static Duration countOnly(VersionStatistics.Tally tally) {
            return new Duration(tally.count(), 0);
        }
    }

    record InferStats(Duration success, Duration fail, Duration queue,
            @JsonProperty("compute_input") Duration computeInput, @JsonProperty("compute_infer") Duration computeInfer,
            @JsonProperty("compute_output") Duration computeOutput, @JsonProperty("cache_hit") Duration cacheHit,
            @JsonProperty("cache_miss") Duration cacheMiss) {
    }

    record BatchStats(@JsonProperty("batch_size") long batchSize, @JsonProperty("compute_input") Duration computeInput,
            @JsonProperty("compute_infer") Duration computeInfer, @JsonProperty("compute_output") Duration computeOutput) {
    }

    record ModelStats(String name, String version, @JsonProperty("last_inference") long lastInference,
            @JsonProperty("inference_count") long inferenceCount, @JsonProperty("execution_count") long executionCount,
            @JsonProperty("inference_stats") InferStats inferenceStats,
            @JsonProperty("batch_stats") List<BatchStats> batchStats) {
    }

    static ModelStats of(ModelVersions.Counted counted) {
        VersionStatistics.Snapshot s = counted.statistics();
        Duration none = new Duration(0, 0);
        InferStats stats = new InferStats(Duration.of(s.success()), Duration.of(s.fail()), Duration.of(s.queue()),
                Duration.countOnly(s.computeInfer()), Duration.of(s.computeInfer()), Duration.countOnly(s.computeInfer()),
                none, none);
        List<BatchStats> batches = s.batches().stream().map(b -> new BatchStats(b.batchSize(),
                Duration.countOnly(b.computeInfer()), Duration.of(b.computeInfer()), Duration.countOnly(b.computeInfer())))
                .toList();
        return new ModelStats(counted.id(), Integer.toString(counted.version()), s.lastInferenceMillis(), s.inferenceCount(),
                s.executionCount(), stats, batches);
    }
}
