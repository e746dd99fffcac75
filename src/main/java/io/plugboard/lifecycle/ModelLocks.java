package io.plugboard.lifecycle;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per model id: uploads, version changes, deletes, loads and unloads of the same id run
 * one at a time, in arrival order; different ids never wait for each other. A lock exists only
 * while someone holds or waits for it.
 */
public final class ModelLocks {

    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    /** Runs {@code work} holding the lock of {@code id}. */
    public <T> T withLock(String id, Supplier<T> work) {
        Entry entry = locks.compute(id, (k, e) -> {
            Entry held = e == null ? new Entry() : e;
            held.users++;
            return held;
        });
        entry.lock.lock();
        try {
            return work.get();
        } finally {
            entry.lock.unlock();
            locks.compute(id, (k, e) -> --e.users == 0 ? null : e);
        }
    }

    /**
     * Runs {@code work} holding the lock of {@code id} only if no one holds or waits for it now.
     *
     * @return whether {@code work} ran
     */
    public boolean tryWithLock(String id, Runnable work) {
        Entry entry = locks.compute(id, (k, e) -> {
            Entry held = e == null ? new Entry() : e;
            held.users++;
            return held;
        });
        boolean acquired = entry.lock.tryLock();
        try {
            if (acquired) {
                work.run();
            }
            return acquired;
        } finally {
            if (acquired) {
                entry.lock.unlock();
            }
            locks.compute(id, (k, e) -> --e.users == 0 ? null : e);
        }
    }

    /** As {@link #withLock(String, Supplier)}, for work that answers nothing. */
    public void withLock(String id, Runnable work) {
        withLock(id, () -> {
            work.run();
            return null;
        });
    }

    /** Whether the calling thread holds the lock of {@code id}. */
    public boolean heldByCurrentThread(String id) {
        Entry entry = locks.get(id);
        return entry != null && entry.lock.isHeldByCurrentThread();
    }

    /** Whether someone holds or waits for the lock of {@code id} (for tests and diagnostics). */
    boolean busy(String id) {
        return locks.containsKey(id);
    }
}
