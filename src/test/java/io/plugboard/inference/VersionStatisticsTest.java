package io.plugboard.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a version's statistics count, and that what they keep stays bounded whatever clients send. */
class VersionStatisticsTest {

    @Test
    void countsRequestsExecutionsAndTheLastInference() {
        AtomicLong now = new AtomicLong(1_000);
        VersionStatistics stats = new VersionStatistics(() -> Instant.ofEpochMilli(now.get()));
        stats.dequeued("m", 100);
        stats.dequeued("m", 300);
        stats.executed("m", 2, 6, 1_000); // a batch of two requests holding 6 rows
        now.set(5_000);
        stats.executed("m", 1, 1, 400);
        now.set(3_000); // a clock stepped back never moves the last inference back
        stats.executed("m", 1, 1, 600);
        stats.answered(true, 2_000);
        stats.answered(false, 50);

        VersionStatistics.Snapshot s = stats.snapshot();
        assertThat(s.lastInferenceMillis()).isEqualTo(5_000);
        assertThat(s.executionCount()).isEqualTo(3);
        assertThat(s.inferenceCount()).isEqualTo(8);
        assertThat(s.queue()).isEqualTo(new VersionStatistics.Tally(2, 400));
        assertThat(s.computeInfer()).as("each request of a batch is charged the batch's call")
                .isEqualTo(new VersionStatistics.Tally(4, 3_000));
        assertThat(s.success()).isEqualTo(new VersionStatistics.Tally(1, 2_000));
        assertThat(s.fail()).isEqualTo(new VersionStatistics.Tally(1, 50));
        assertThat(s.batches()).containsExactly(
                new VersionStatistics.BatchTally(1, new VersionStatistics.Tally(2, 1_000)),
                new VersionStatistics.BatchTally(6, new VersionStatistics.Tally(1, 1_000)));
    }

    @Test
    void theTableOfBatchSizesIsBounded() {
        VersionStatistics stats = new VersionStatistics(InstantSource.system());
        for (int rows = 1; rows <= VersionStatistics.MAX_BATCH_SIZES + 1_000; rows++) {
            stats.executed("m", 1, rows, 10);
        }
        VersionStatistics.Snapshot s = stats.snapshot();
        assertThat(s.batches()).hasSize(VersionStatistics.MAX_BATCH_SIZES);
        assertThat(s.executionCount()).as("every execution still counts").isEqualTo(VersionStatistics.MAX_BATCH_SIZES + 1_000);
    }
}
