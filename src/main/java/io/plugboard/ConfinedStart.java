package io.plugboard;

import io.plugboard.backend.NativeCache;
import io.plugboard.backend.NativeLibraryCheck;
import io.plugboard.config.PlugboardProperties;
import io.plugboard.confinement.ConfinementException;
import io.plugboard.confinement.ConfinementMode;
import io.plugboard.confinement.ConfinementPlan;
import io.plugboard.confinement.ConfinementStatus;
import io.plugboard.confinement.ProcessConfinement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The first step of {@code main}: once the configuration is read and before anything else starts
 * (no context, no engine, no request thread), confine the process to the paths it needs
 * ({@code plugboard.confinement.*}). The program restarts itself confined, so this runs again in
 * the confined program and then does nothing.
 */
final class ConfinedStart implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ConfinedStart.class);

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment env = event.getEnvironment();
        PlugboardProperties properties = Binder.get(env).bindOrCreate("plugboard", PlugboardProperties.class);
        ConfinementMode mode = properties.confinement().mode();
        if (System.getenv(ProcessConfinement.MARKER) != null) {
            return; // the confined program: checked and confined before it was started
        }
        Path cache = properties.engines().cacheDirOrDefault();
        Path prefilled = properties.engines().prefilledDir();
        checkEngineLibraries(cache, prefilled);
        if (mode == ConfinementMode.OFF) {
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            unconfined(env, mode, "Landlock is Linux's; this is " + System.getProperty("os.name"));
            return;
        }
        ProcessConfinement confinement;
        int abi;
        try {
            confinement = new ProcessConfinement();
            abi = confinement.abi();
        } catch (LinkageError | RuntimeException e) {
            unconfined(env, mode, "the system calls cannot be reached: " + e.getMessage());
            return;
        }
        if (abi < 2) {
            unconfined(env, mode, ProcessConfinement.unsupportedReason(abi));
            return;
        }
        List<Path> writable = new ArrayList<>(properties.confinement().writePaths());
        writable.add(properties.store().path());
        // the engines unpack into these; the cache's root (the check's record) stays read-only
        NativeCache engines = new NativeCache(cache, prefilled);
        writable.add(engines.djl());
        writable.add(engines.javacpp());
        List<Path> readable = new ArrayList<>(properties.confinement().readPaths());
        readable.add(engines.root());
        if (engines.prefilled() != null) {
            readable.add(engines.prefilled()); // the links in the cache lead there
        }
        try {
            ConfinementPlan plan = ConfinementPlan.of(env, writable, readable, ProcessConfinement.commandLine());
            confinement.confineAndRestart(plan, abi);
        } catch (ConfinementException e) {
            if (e.restricted()) {
                throw e;
            }
            unconfined(env, mode, e.getMessage());
        }
    }

    /** Every engine library in the cache must be the build's own before anything loads one. */
    private static void checkEngineLibraries(Path cache, Path prefilled) {
        NativeLibraryCheck.Result result = new NativeLibraryCheck(cache, prefilled, ConfinedStart.class.getClassLoader())
                .verify();
        if (!result.removed().isEmpty()) {
            log.warn("Engine cache {}: removed {} file(s) that are not the build's libraries, to be unpacked again: {}",
                    cache, result.removed().size(), result.removed());
        }
        log.debug("Engine cache {}: {} files, {} read and compared with the build, in {} ms", cache, result.files(),
                result.readAgain(), result.millis());
    }

    private static void unconfined(ConfigurableEnvironment env, ConfinementMode mode, String reason) {
        if (mode == ConfinementMode.REQUIRED) {
            throw new ConfinementException("plugboard.confinement.mode=required, but " + reason);
        }
        log.warn("Starting unconfined: {}. Models run with all the file access of this user.", reason);
        env.getPropertySources().addFirst(new MapPropertySource("plugboardConfinement",
                Map.of(ConfinementStatus.UNSUPPORTED_PROPERTY, reason)));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
