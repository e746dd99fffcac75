package io.plugboard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One lock per model id: work on one id never overlaps, different ids never wait for each other. */
class ModelLocksTest {

    private final ModelLocks locks = new ModelLocks();
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    /** Not atomic on purpose: only the lock keeps its increments from being lost. */
    private int counter;

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void workOnOneIdNeverOverlaps() throws Exception {
        AtomicBoolean inside = new AtomicBoolean();
        AtomicInteger overlaps = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(threads.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    locks.withLock("m", () -> {
                        if (!inside.compareAndSet(false, true)) {
                            overlaps.incrementAndGet();
                        }
                        int read = counter;
                        pause(1);
                        counter = read + 1;
                        inside.set(false);
                    });
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }

        assertThat(overlaps).hasValue(0);
        assertThat(counter).isEqualTo(8 * 25);
        assertThat(locks.busy("m")).isFalse();
    }

    @Test
    void differentIdsRunAtTheSameTime() throws Exception {
        CountDownLatch aInside = new CountDownLatch(1);
        CountDownLatch bInside = new CountDownLatch(1);

        Future<Boolean> a = threads.submit(() -> locks.withLock("a", () -> meet(aInside, bInside)));
        Future<Boolean> b = threads.submit(() -> locks.withLock("b", () -> meet(bInside, aInside)));

        assertThat(a.get(10, TimeUnit.SECONDS)).as("a saw b inside its own lock").isTrue();
        assertThat(b.get(10, TimeUnit.SECONDS)).as("b saw a inside its own lock").isTrue();
        assertThat(locks.busy("a")).isFalse();
        assertThat(locks.busy("b")).isFalse();
    }

    @Test
    void aSecondEntrantOnTheSameIdWaitsForTheFirst() throws Exception {
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicBoolean secondRan = new AtomicBoolean();
        Future<?> first = threads.submit(() -> locks.withLock("m", () -> {
            firstInside.countDown();
            await(releaseFirst);
        }));
        assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();

        Future<?> second = threads.submit(() -> locks.withLock("m", () -> secondRan.set(true)));
        pause(200);
        assertThat(secondRan).as("the second ran while the first held the lock").isFalse();
        assertThat(locks.busy("m")).isTrue();

        releaseFirst.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        assertThat(secondRan).isTrue();
        assertThat(locks.busy("m")).isFalse();
    }

    @Test
    void theEntryExistsOnlyWhileHeldAndTheAnswerIsPassedOn() {
        assertThat(locks.busy("m")).isFalse();

        String answer = locks.withLock("m", () -> {
            assertThat(locks.busy("m")).isTrue();
            assertThat(locks.busy("other")).isFalse();
            return "done";
        });

        assertThat(answer).isEqualTo("done");
        assertThat(locks.busy("m")).isFalse();
    }

    @Test
    void theSameThreadMayTakeItsLockAgain() {
        int depth = locks.withLock("m", () -> locks.withLock("m", () -> 2));

        assertThat(depth).isEqualTo(2);
        assertThat(locks.busy("m")).isFalse();
    }

    @Test
    void anExceptionInsideReleasesTheLock() throws Exception {
        Throwable thrown = catchThrowable(() -> locks.withLock("m", (Runnable) () -> {
            throw new IllegalStateException("boom");
        }));

        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(locks.busy("m")).isFalse();
        Future<String> other = threads.submit(() -> locks.withLock("m", () -> "taken"));
        assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo("taken");
    }

    /** Signals {@code mine}, then waits for {@code theirs}: true if the other side got in meanwhile. */
    private static boolean meet(CountDownLatch mine, CountDownLatch theirs) {
        mine.countDown();
        try {
            return theirs.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
