package io.plugboard.lifecycle;

import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.ModelStore;
import io.plugboard.store.SharedStore;
import io.plugboard.store.SharedStore.RecordKey;
import io.plugboard.store.StagedFile;
import io.plugboard.store.Staging;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModel;
import io.plugboard.store.StoredModelRecord;
import java.io.InputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this replica's models the shared store's: at start (the replica is ready only after this
 * first reconciliation) and then every poll interval, each version whose record appeared is
 * downloaded into the local folder, checked against its recorded SHA-256 and loaded; each version
 * whose record disappeared is drained and dropped. A request for a model this replica has not
 * heard of yet loads it on demand, once however many requests wait. Local versions written by the
 * filesystem store (no origin) are published on the first reconciliation, so switching a replica
 * to a shared store loses nothing. Files of uploads no record names are swept once older than the
 * leftover age. With no shared store, starting just restores the local store.
 */
public final class StoreSync implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StoreSync.class);

    /** How long an id the store does not hold is answered from memory. */
    private static final Duration ABSENT_FOR = Duration.ofSeconds(1);
    private static final int MAX_ABSENT = 10_000;
    /** Downloads at once during the first reconciliation. */
    private static final int DOWNLOADS = 4;

    private final SharedStore shared;
    private final ModelStore local;
    private final ModelRegistry registry;
    private final ModelResidency residency;
    private final ModelRemoval removal;
    private final ModelLocks locks;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration leftoverAge;
    private final Semaphore lookups;
    /** Records read from the store, by key: their tag and origin. */
    private final Map<RecordKey, Known> known = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Boolean>> fetching = new ConcurrentHashMap<>();
    private final Map<String, Instant> absent = new ConcurrentHashMap<>();
    private volatile StoreStatus status;
    private volatile Instant lastSweep;
    private ScheduledExecutorService poller;

    private record Known(String tag, String origin) {
    }

    /**
     * @param lookups how many on-demand lookups of unknown ids may reach the store at once (more
     *     are answered 404 at once)
     */
    public StoreSync(SharedStore shared, ModelStore local, ModelRegistry registry, ModelResidency residency,
            ModelRemoval removal, ModelLocks locks, Clock clock, Duration pollInterval, Duration leftoverAge,
            int lookups) {
        this.shared = shared;
        this.local = local;
        this.registry = registry;
        this.residency = residency;
        this.removal = removal;
        this.locks = locks;
        this.clock = clock;
        this.pollInterval = pollInterval.isPositive() ? pollInterval : Duration.ofSeconds(5);
        this.leftoverAge = leftoverAge;
        this.lookups = new Semaphore(Math.max(1, lookups));
        this.status = new StoreStatus(shared.shared(), shared.location(), false, true, null, null);
        this.lastSweep = clock.instant();
    }

    public StoreStatus status() {
        return status;
    }

    /**
     * Restores the local store (no shared store), or runs the first reconciliation and starts
     * polling. A store that cannot be reached now leaves the replica not ready; polling retries.
     */
    public void start() {
        if (!shared.shared()) {
            residency.restoreAll();
            status = new StoreStatus(false, shared.location(), true, true, clock.instant(), null);
            return;
        }
        registry.onMissing(this::fetch);
        registry.whileLoading(this::awaitFetch);
        log.info("Models come from the shared store {}, polled every {}", shared.location(), pollInterval);
        runQuietly();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plugboard-store-sync");
            t.setDaemon(true);
            return t;
        });
        long every = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** One reconciliation now (the first one while it has not succeeded); for the poller and tests. */
    public void reconcile() {
        if (!status.reconciled()) {
            reconcileFirst();
        } else {
            poll();
        }
    }

    private void runQuietly() {
        try {
            reconcile();
            if (!status.reachable() || status.lastSync() == null) {
                log.info("Shared store {} reachable; {} model(s) served", shared.location(), registry.all().size());
            }
            status = new StoreStatus(true, shared.location(), true, true, clock.instant(), null);
        } catch (PlugboardException e) {
            unreachable(e);
        } catch (RuntimeException e) {
            log.error("Reconciling with the shared store failed", e);
            unreachable(e);
        }
    }

    private void unreachable(RuntimeException e) {
        if (status.reachable()) {
            log.warn("Shared store {} unreachable; models already loaded keep serving: {}", shared.location(),
                    e.getMessage());
        }
        StoreStatus was = status;
        status = new StoreStatus(true, shared.location(), was.reconciled(), false, was.lastSync(), e.getMessage());
    }

    /**
     * At start: local versions the store no longer holds (or holds from another upload) are
     * deleted, those written by the filesystem store are published, missing ones downloaded, and
     * then everything local is loaded.
     */
    private void reconcileFirst() {
        Map<RecordKey, String> remote = shared.records();
        for (StoredModel stored : local.list()) {
            StoredModelRecord record = stored.record();
            RecordKey key = new RecordKey(record.id(), record.version());
            if (record.origin() == null) {
                publishLocal(stored, remote.containsKey(key));
                continue;
            }
            Optional<StoredModelRecord> there = remote.containsKey(key) ? read(key, remote.get(key)) : Optional.empty();
            if (there.isEmpty() || !Objects.equals(there.get().origin(), record.origin())) {
                log.info("Model {} version {} is no longer in the shared store as cached here; dropping it",
                        record.id(), record.version());
                local.deleteVersion(record.id(), record.version());
            }
        }
        Set<RecordKey> cached = local.list().stream().map(m -> new RecordKey(m.record().id(), m.record().version()))
                .collect(Collectors.toSet());
        List<Map.Entry<RecordKey, String>> missing = remote.entrySet().stream()
                .filter(e -> !cached.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(RecordKey::id)
                        .thenComparing(RecordKey::version, Comparator.reverseOrder())))
                .toList();
        long start = System.nanoTime();
        downloadAll(missing);
        long downloaded = System.nanoTime();
        residency.restoreAll();
        log.info("First reconciliation with {}: {} version(s) in the store, {} downloaded in {} ms, all loaded in {} ms",
                shared.location(), remote.size(), missing.size(), (downloaded - start) / 1_000_000,
                (System.nanoTime() - downloaded) / 1_000_000);
    }

    /**
     * Downloads versions a few at a time (the store's latency, not this machine, bounds one
     * download of a small model); a store that cannot be reached stops them all.
     */
    private void downloadAll(List<Map.Entry<RecordKey, String>> missing) {
        if (missing.isEmpty()) {
            return;
        }
        java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(Math.min(DOWNLOADS, missing.size()),
                r -> {
                    Thread t = new Thread(r, "plugboard-store-download");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
            for (Map.Entry<RecordKey, String> e : missing) {
                running.add(pool.submit(() -> locks.withLock(e.getKey().id(),
                        () -> downloadQuietly(e.getKey(), e.getValue()))));
            }
            RuntimeException failure = null;
            for (java.util.concurrent.Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException ex) {
                    failure = ex.getCause() instanceof RuntimeException r ? r : new IllegalStateException(ex.getCause());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while downloading models", ex);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A version the filesystem store wrote: published under a fresh origin, or dropped if the version is taken. */
    private void publishLocal(StoredModel stored, boolean taken) {
        StoredModelRecord record = stored.record();
        if (!taken) {
            String origin = shared.newOrigin();
            List<StagedFile> files = record.files().stream().map(f -> new StagedFile(f.path(),
                    stored.filesDirectory().resolve(f.path()), f.sizeBytes(), f.sha256())).toList();
            shared.putFiles(record.id(), origin, files);
            StoredModelRecord published = record.withOrigin(origin);
            if (shared.create(published).isPresent()) {
                local.rewrite(published);
                log.info("Model {} version {} published to the shared store", record.id(), record.version());
                return;
            }
            shared.deleteFiles(record.id(), origin);
        }
        log.warn("Model {} version {} stored here is another upload than the shared store's; the shared one wins",
                record.id(), record.version());
        local.deleteVersion(record.id(), record.version());
    }

    /** Every later poll: each id the store or this replica holds, unless busy (it waits for the next poll). */
    private void poll() {
        Map<RecordKey, String> remote = shared.records();
        Map<String, Map<Integer, String>> byId = new HashMap<>();
        remote.forEach((k, tag) -> byId.computeIfAbsent(k.id(), i -> new HashMap<>()).put(k.version(), tag));
        Set<String> ids = new TreeSet<>(byId.keySet());
        registry.all().forEach(e -> ids.add(e.id()));
        for (String id : ids) {
            locks.tryWithLock(id, () -> reconcile(id, byId.getOrDefault(id, Map.of())));
        }
        known.keySet().removeIf(k -> !remote.containsKey(k));
        absent.clear();
        sweepIfDue(remote);
    }

    /**
     * Brings one model in line with the store's records of it ({@code tags}, by version), read
     * before the caller took the model's lock: a disappearance is confirmed before anything is
     * dropped, and every record is read again before it is loaded.
     */
    private void reconcile(String id, Map<Integer, String> tags) {
        ModelVersions entry = registry.find(id).orElse(null);
        if (entry != null) {
            for (ServedModel model : entry.all()) {
                RecordKey key = new RecordKey(id, model.version());
                if (!tags.containsKey(model.version()) && shared.read(id, model.version()).isEmpty()) {
                    log.info("Model {} version {} was deleted from the shared store; dropping it", id, model.version());
                    removal.dropVersionLocally(id, model.version());
                    known.remove(key);
                }
            }
        }
        for (Map.Entry<Integer, String> e : new TreeMap<>(tags).entrySet()) {
            RecordKey key = new RecordKey(id, e.getKey());
            Optional<ServedModel> current = registry.find(id).flatMap(v -> v.version(e.getKey()));
            Known seen = known.get(key);
            if (current.isPresent() && seen != null && seen.tag().equals(e.getValue())
                    && Objects.equals(seen.origin(), current.get().record().origin())) {
                continue;
            }
            Optional<StoredModelRecord> record = read(key, e.getValue());
            if (record.isEmpty()) {
                continue;
            }
            if (current.isPresent()) {
                if (Objects.equals(current.get().record().origin(), record.get().origin())) {
                    continue;
                }
                log.info("Model {} version {} was replaced in the shared store; reloading it", id, e.getKey());
                removal.dropVersionLocally(id, e.getKey());
            }
            install(record.get());
        }
    }

    /** Downloads one version of the store into the local folder (loaded later with the rest). */
    private void downloadQuietly(RecordKey key, String tag) {
        read(key, tag).ifPresent(record -> quietly(record, () -> download(record)));
    }

    /** Downloads and loads one version of the store. */
    private void install(StoredModelRecord record) {
        quietly(record, () -> {
            if (registry.find(record.id()).filter(v -> !v.isEmpty()).isEmpty()) {
                registry.requireRoomForAnother();
            }
            residency.restore(download(record));
            log.info("Model {} version {} loaded from the shared store", record.id(), record.version());
        });
    }

    /**
     * Runs {@code work} for one version: a store that cannot be reached stops the reconciliation
     * (it is retried whole); any other failure is logged and the version retried at the next poll.
     */
    private static void quietly(StoredModelRecord record, Runnable work) {
        try {
            work.run();
        } catch (PlugboardException e) {
            if (e.type() == ProblemType.STORE_UNAVAILABLE) {
                throw e;
            }
            log.error("Model {} version {} could not be fetched: {}", record.id(), record.version(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("Model {} version {} could not be fetched: {}", record.id(), record.version(), e.getMessage());
        }
    }

    /** The record of {@code key}, remembered with its tag and origin. */
    private Optional<StoredModelRecord> read(RecordKey key, String tag) {
        Optional<StoredModelRecord> record = shared.read(key.id(), key.version());
        record.ifPresent(r -> known.put(key, new Known(tag, r.origin())));
        return record;
    }

    /**
     * Streams a version's files into a staging folder, checks each against its recorded size and
     * SHA-256 and commits them to the local folder under the store's record.
     */
    private StoredModel download(StoredModelRecord record) {
        try (Staging staging = local.stage(Math.max(record.sizeBytes(), 0))) {
            for (StoredFile file : record.files()) {
                StagedFile got;
                try (InputStream in = shared.open(record.id(), record.origin(), file.path())) {
                    got = staging.write(file.path(), in);
                } catch (IOException e) {
                    throw new PlugboardException(ProblemType.STORE_UNAVAILABLE, "Reading " + file.path() + " of model "
                            + record.id() + " failed: " + e.getMessage(), e);
                }
                if (got.sizeBytes() != file.sizeBytes() || !got.sha256().equals(file.sha256())) {
                    throw new IllegalStateException("File " + file.path() + " of model " + record.id() + " version "
                            + record.version() + " in the shared store does not match its record (sha256 "
                            + got.sha256() + ", recorded " + file.sha256() + ")");
                }
            }
            local.deleteVersion(record.id(), record.version());
            return local.commit(staging, record);
        }
    }

    /**
     * Loads a model another replica stored that this one has not polled yet; concurrent requests
     * for it share one load. Unknown ids are remembered briefly and lookups are capped, so a
     * stream of made-up ids costs the store little.
     *
     * @return whether the model is now known here
     */
    boolean fetch(String id) {
        if (!ModelIds.NAME.matcher(id).matches()) {
            return false;
        }
        Instant until = absent.get(id);
        if (until != null && clock.instant().isBefore(until)) {
            return false;
        }
        if (locks.heldByCurrentThread(id)) {
            return lookUp(id); // a delete or load of this id asking; it holds the lock already
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = fetching.putIfAbsent(id, mine);
        if (running != null) {
            return running.join();
        }
        try {
            boolean found = false;
            if (lookups.tryAcquire()) {
                try {
                    found = locks.withLock(id, () -> lookUp(id));
                } finally {
                    lookups.release();
                }
            }
            mine.complete(found);
            return found;
        } catch (RuntimeException e) {
            log.debug("On-demand load of {} failed: {}", id, e.getMessage());
            mine.complete(false);
            return false;
        } finally {
            fetching.remove(id, mine);
        }
    }

    /** Waits for the on-demand load of {@code id} under way, if there is one; whether there was. */
    boolean awaitFetch(String id) {
        if (locks.heldByCurrentThread(id)) {
            return false; // the load itself asking
        }
        CompletableFuture<Boolean> running = fetching.get(id);
        if (running == null) {
            return false;
        }
        running.join();
        return true;
    }

    private boolean lookUp(String id) {
        if (registry.find(id).filter(v -> !v.isEmpty()).isPresent()) {
            return true;
        }
        Map<Integer, String> tags = shared.records(id);
        if (tags.isEmpty()) {
            if (absent.size() >= MAX_ABSENT) {
                absent.clear();
            }
            absent.put(id, clock.instant().plus(ABSENT_FOR));
            return false;
        }
        reconcile(id, tags);
        return registry.find(id).filter(v -> !v.isEmpty()).isPresent();
    }

    /**
     * Brings one model up to date with the store now (before a new version is numbered). The
     * caller holds the model's lock.
     */
    void catchUp(String id) {
        if (shared.shared()) {
            reconcile(id, shared.records(id));
        }
    }

    /** Sweeps leftovers of stopped uploads every quarter of the leftover age (at most every 15 minutes). */
    private void sweepIfDue(Map<RecordKey, String> remote) {
        Duration quarter = leftoverAge.dividedBy(4);
        Duration every = quarter.compareTo(Duration.ofMinutes(15)) > 0 ? Duration.ofMinutes(15) : quarter;
        Instant now = clock.instant();
        if (now.isBefore(lastSweep.plus(every))) {
            return;
        }
        sweep(remote, now);
    }

    /** Deletes files no record names, older than the leftover age. */
    public int sweepNow() {
        return sweep(shared.records(), clock.instant());
    }

    private int sweep(Map<RecordKey, String> remote, Instant now) {
        Set<String> referenced = new java.util.HashSet<>();
        for (Map.Entry<RecordKey, String> e : remote.entrySet()) {
            Known k = known.get(e.getKey());
            if (k != null && k.tag().equals(e.getValue())) {
                referenced.add(k.origin());
            } else {
                read(e.getKey(), e.getValue()).ifPresent(r -> referenced.add(r.origin()));
            }
        }
        registry.all().forEach(v -> v.all().forEach(m -> {
            if (m.record().origin() != null) {
                referenced.add(m.record().origin());
            }
        }));
        lastSweep = now;
        int removed = shared.sweep(now.minus(leftoverAge), referenced);
        if (removed > 0) {
            log.info("Swept {} leftover object(s) of stopped uploads from the shared store", removed);
        }
        return removed;
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
