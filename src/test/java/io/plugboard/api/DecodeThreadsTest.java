package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Large bodies decode on platform threads, bounded, with their exceptions passed back unchanged. */
class DecodeThreadsTest {

    @Test
    void workRunsOnAPlatformThreadAndItsResultOrExceptionComesBack() throws Exception {
        try (DecodeThreads threads = new DecodeThreads(1, 1)) {
            AtomicReference<Thread> ran = new AtomicReference<>();
            String result = threads.run(() -> {
                ran.set(Thread.currentThread());
                return "decoded";
            });
            assertThat(result).isEqualTo("decoded");
            assertThat(ran.get().isVirtual()).isFalse();
            assertThat(ran.get().getName()).startsWith("plugboard-decode-");
            assertThatThrownBy(() -> threads.run(() -> {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "bad");
            })).isInstanceOfSatisfying(PlugboardException.class, e -> assertThat(e.type()).isEqualTo(ProblemType.INVALID_TENSOR));
            assertThatThrownBy(() -> threads.run(() -> {
                throw new IOException("client went away");
            })).isInstanceOf(IOException.class).hasMessage("client went away");
        }
    }

    @Test
    void pastItsThreadsAndQueueARequestIsTurnedAway() throws Exception {
        try (DecodeThreads threads = new DecodeThreads(1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            Thread busy = Thread.ofVirtual().start(() -> {
                try {
                    threads.run(() -> {
                        started.countDown();
                        release.await();
                        return null;
                    });
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            started.await();
            Thread queued = Thread.ofVirtual().start(() -> {
                try {
                    threads.run(() -> null);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(100); // the second waits in the queue of one
            assertThatThrownBy(() -> threads.run(() -> null)).isInstanceOfSatisfying(PlugboardException.class,
                    e -> assertThat(e.type()).isEqualTo(ProblemType.QUEUE_FULL));
            release.countDown();
            busy.join();
            queued.join();
        }
    }
}
