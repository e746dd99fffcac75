package io.plugboard.serving;

import io.plugboard.backend.Backend;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.FormatSupport;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.Target;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.NanoClock;
import io.plugboard.inference.PinnedCalls;
import io.plugboard.inference.PoolObserver;
import io.plugboard.inference.VersionStatistics;
import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.settings.ModelSettings;
import io.plugboard.settings.ServingDefaults;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a stored model version comes to serve: place it on a target, load it with its
 * backend, build its instance pool, warm every instance that will serve, then mark it READY. An
 * upload, a new version, a restart and a repository load all come through here; the caller decides
 * when the version becomes visible in the registry.
 */
public final class ModelServing {

    private static final Logger log = LoggerFactory.getLogger(ModelServing.class);

    private final BackendRegistry backends;
    private final ServingDefaults defaults;
    private final InferenceMetrics metrics;
    private final NanoClock clock;
    private final InstantSource wallClock;
    /** One budget for every pool: calls pinning virtual threads leave a carrier free. */
    private final PinnedCalls pinnedCalls;
    private final InstanceBudget instances;

    /** @param wallClock the time a version's statistics give for its last inference */
    public ModelServing(BackendRegistry backends, ServingDefaults defaults, InferenceMetrics metrics, NanoClock clock,
            InstantSource wallClock, PinnedCalls pinnedCalls, InstanceBudget instances) {
        this.wallClock = wallClock;
        this.backends = backends;
        this.defaults = defaults;
        this.metrics = metrics;
        this.clock = clock;
        this.pinnedCalls = pinnedCalls;
        this.instances = instances;
    }

    /**
     * Brings {@code model} to READY from {@code source}, or leaves it FAILED and throws. Nothing of
     * a failed attempt stays loaded.
     *
     * @throws PlugboardException {@code UNSUPPORTED_FORMAT}, {@code TARGET_UNAVAILABLE},
     *     {@code INVALID_PARAMETER}, {@code MODEL_LOAD_FAILED} or the backend's own type
     */
    public void serve(ServedModel model, ModelSource source, ModelSettings settings) {
        try {
            Backend backend = backendFor(source);
            model.loading(backend.name());
            var poolSettings = defaults.poolFor(settings);
            instances.take(poolSettings.instances());
            Runnable giveBack = () -> instances.give(poolSettings.instances());
            try {
                start(model, source, settings, backend, poolSettings, giveBack);
            } catch (RuntimeException | Error e) {
                giveBack.run();
                throw e;
            }
        } catch (RuntimeException e) {
            RuntimeException shown = withoutServerPaths(e, source);
            model.failed(shown.getMessage());
            throw shown;
        }
    }

    /** Places, loads, pools and warms; {@code giveBack} returns the instances once the pool has closed. */
    private void start(ServedModel model, ModelSource source, ModelSettings settings, Backend backend,
            io.plugboard.inference.PoolSettings poolSettings, Runnable giveBack) {
        TargetPlacement.Placement placement = TargetPlacement.place(defaults.targetFor(settings),
                backend.targets(), backend.unavailableTargets());
        Placed placed = loadPlaced(model.id(), backend, source, placement);
        model.warming();
        InstancePool pool = null;
        VersionStatistics statistics = new VersionStatistics(wallClock);
        try {
            pool = new InstancePool(model.id(), placed.model(), poolSettings, clock,
                    PoolObserver.both(metrics.forVersion(Integer.toString(model.version())), statistics), pinnedCalls);
            Warmup warmup = new Warmup(model.id(), placed.model().signature());
            pool.warm(warmup::run);
        } catch (RuntimeException | Error e) {
            if (pool != null) {
                pool.close(java.time.Duration.ZERO);
            }
            placed.model().close();
            throw e;
        }
        model.ready(placed.model(), pool, statistics, placed.reason(), giveBack);
        metrics.poolGauges(model.id(), Integer.toString(model.version()), pool);
        log.info("Model {} version {} READY ({} via {} on {})", model.id(), model.version(),
                source.format().id(), backend.name(), placed.model().target());
    }

    /** An engine's message names files by the server's absolute paths: clients see them relative. */
    private static RuntimeException withoutServerPaths(RuntimeException e, ModelSource source) {
        String folder = source.directory().toAbsolutePath().toString();
        if (!(e instanceof PlugboardException p) || p.getMessage() == null || !p.getMessage().contains(folder)) {
            return e;
        }
        String message = p.getMessage().replace(folder + java.io.File.separator, "").replace(folder, ".");
        return new PlugboardException(p.type(), message, p.properties(), p);
    }

    /** Drains and releases a version, keeping its files: it is UNLOADED and its pool gauges are gone. */
    public void unload(ServedModel model, java.time.Duration drain) {
        model.unload(drain);
        metrics.forgetVersion(model.id(), Integer.toString(model.version()));
    }

    private Backend backendFor(ModelSource source) {
        FormatSupport support = backends.status(source.format());
        if (support instanceof FormatSupport.NotServed refused) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, refused.explanation(),
                    Map.of("format", refused.format().id(), "reason", refused.reason(), "hint", refused.hint()));
        }
        return ((FormatSupport.Served) support).backend();
    }

    /** A loaded model and why it runs where it does. */
    private record Placed(LoadedModel model, String reason) {
    }

    /**
     * Loads on the first candidate target that works. With {@code auto}, an accelerator whose
     * session cannot be created is skipped (the reason is recorded) and the next one tried; the
     * last candidate (cpu) reports its own failure.
     */
    private Placed loadPlaced(String id, Backend backend, ModelSource source, TargetPlacement.Placement placement) {
        StringBuilder skipped = new StringBuilder();
        List<Target> candidates = placement.candidates();
        for (int i = 0; i < candidates.size(); i++) {
            Target target = candidates.get(i);
            try {
                return new Placed(load(id, backend, source, target), placement.reason() + skipped);
            } catch (PlugboardException e) {
                boolean last = i == candidates.size() - 1;
                if (last || e.type() != ProblemType.MODEL_LOAD_FAILED) {
                    throw e;
                }
                skipped.append("; ").append(target).append(" failed (").append(e.getMessage()).append("), fell back");
                log.warn("Model {} could not load on {}: {}; trying {}", id, target, e.getMessage(), candidates.get(i + 1));
            }
        }
        throw new IllegalStateException("no target candidates");
    }

    private LoadedModel load(String id, Backend backend, ModelSource source, Target target) {
        long start = clock.nanoTime();
        boolean ok = false;
        try {
            LoadedModel loaded = backend.load(source, target);
            ok = true;
            return loaded;
        } finally {
            metrics.modelLoaded(id, source.format().id(), backend.name(), clock.nanoTime() - start, ok);
        }
    }
}
