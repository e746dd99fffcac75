package io.plugboard.inference;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task when a deadline passes, for many pending deadlines at once, on one thread that
 * sleeps until the earliest of them. Scheduling and cancelling wake nobody unless the new deadline
 * is earlier than the one the thread sleeps until (its first deadline, or a second from now while
 * nothing is pending), so under steady load, where each new deadline falls after those already
 * pending, a request's timeout costs an insertion and a removal in a sorted set and no thread
 * switch. Tasks run on the timer's thread and must be short.
 */
public final class DeadlineTimer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadlineTimer.class);
    /** How long the thread sleeps while nothing is pending. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final NanoClock clock;
    private final ConcurrentSkipListSet<Pending> pending = new ConcurrentSkipListSet<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread thread;
    /** When the thread will next look at the set on its own. */
    private volatile long wakeAt;
    private volatile boolean closed;

    /** A scheduled task; {@link #cancel()} it once it is no longer needed. */
    public final class Pending implements Comparable<Pending> {

        private final long deadline;
        private final long order;
        private final Runnable task;

        private Pending(long deadline, long order, Runnable task) {
            this.deadline = deadline;
            this.order = order;
            this.task = task;
        }

        /** Drops the task if it has not run; true if it will not run. */
        public boolean cancel() {
            return pending.remove(this);
        }

        @Override
        public int compareTo(Pending other) {
            int byTime = Long.compare(deadline - other.deadline, 0); // nanoTime order, overflow-safe
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    public DeadlineTimer(String name, NanoClock clock) {
        this.clock = clock;
        this.wakeAt = clock.nanoTime() + IDLE_NANOS;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    /** Runs {@code task} on the timer's thread once {@code deadlineNanos} (on the clock) has passed. */
    public Pending schedule(long deadlineNanos, Runnable task) {
        Pending p = new Pending(deadlineNanos, sequence.incrementAndGet(), task);
        pending.add(p);
        if (deadlineNanos - wakeAt < 0) {
            LockSupport.unpark(thread);
        }
        return p;
    }

    /** How many tasks wait for their deadline. */
    public int pending() {
        return pending.size();
    }

    private void run() {
        while (!closed) {
            long now = clock.nanoTime();
            Pending first;
            while ((first = first()) != null && first.deadline - now <= 0) {
                if (pending.remove(first)) {
                    try {
                        first.task.run();
                    } catch (RuntimeException | Error e) {
                        log.error("A deadline task failed", e);
                    }
                }
                now = clock.nanoTime();
            }
            long next = first == null ? now + IDLE_NANOS : first.deadline;
            wakeAt = next;
            // a task added while wakeAt still held the old time either woke this thread or is seen here
            Pending head = first();
            if (head != null && head.deadline - next < 0) {
                continue;
            }
            LockSupport.parkNanos(this, next - now);
        }
    }

    private Pending first() {
        try {
            return pending.isEmpty() ? null : pending.first();
        } catch (java.util.NoSuchElementException e) { // emptied in between
            return null;
        }
    }

    /** Stops the thread; pending tasks do not run. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        pending.clear();
    }
}
