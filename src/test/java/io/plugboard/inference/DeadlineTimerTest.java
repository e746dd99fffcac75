package io.plugboard.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineTimerTest {

    private static final long MS = 1_000_000L;

    @Test
    void tasksRunInDeadlineOrderNotBeforeTheirDeadlineAndCancelledOnesNever() throws Exception {
        try (DeadlineTimer timer = new DeadlineTimer("test-deadlines", NanoClock.system())) {
            List<String> ran = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            long start = System.nanoTime();
            long[] ranAt = new long[3];
            timer.schedule(start + 300 * MS, () -> { ranAt[2] = System.nanoTime(); ran.add("300"); done.countDown(); });
            timer.schedule(start + 100 * MS, () -> { ranAt[0] = System.nanoTime(); ran.add("100"); done.countDown(); });
            DeadlineTimer.Pending dropped = timer.schedule(start + 150 * MS, () -> ran.add("cancelled"));
            timer.schedule(start + 200 * MS, () -> { ranAt[1] = System.nanoTime(); ran.add("200"); done.countDown(); });
            assertThat(dropped.cancel()).isTrue();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).containsExactly("100", "200", "300");
            assertThat(ranAt[0] - start).isGreaterThanOrEqualTo(100 * MS);
            assertThat(ranAt[1] - start).isGreaterThanOrEqualTo(200 * MS);
            assertThat(ranAt[2] - start).isGreaterThanOrEqualTo(300 * MS);
            assertThat(dropped.cancel()).isFalse();
            assertThat(timer.pending()).isZero();
        }
    }

    @Test
    void anEarlierDeadlineWakesTheThreadSleepingUntilALaterOne() throws Exception {
        try (DeadlineTimer timer = new DeadlineTimer("test-deadlines", NanoClock.system())) {
            long start = System.nanoTime();
            CountDownLatch late = new CountDownLatch(1);
            timer.schedule(start + 60_000 * MS, late::countDown);
            Thread.sleep(50); // the thread now sleeps until a minute from now
            CountDownLatch early = new CountDownLatch(1);
            timer.schedule(System.nanoTime() + 20 * MS, early::countDown);
            assertThat(early.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(late.getCount()).isEqualTo(1);
            assertThat(timer.pending()).isEqualTo(1);
        }
    }

    @Test
    void manyShortDeadlinesFromManyThreadsAllRunOnceAndAFailingTaskStopsNothing() throws Exception {
        try (DeadlineTimer timer = new DeadlineTimer("test-deadlines", NanoClock.system())) {
            int n = 2_000;
            CountDownLatch all = new CountDownLatch(n);
            timer.schedule(System.nanoTime(), () -> {
                throw new IllegalStateException("a failing task");
            });
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                int offset = t;
                threads[t] = Thread.ofPlatform().start(() -> {
                    for (int i = offset; i < n; i += threads.length) {
                        timer.schedule(System.nanoTime() + (i % 50) * MS, all::countDown);
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(all.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(timer.pending()).isZero();
        }
    }
}
