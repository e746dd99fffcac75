package io.plugboard.confinement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confines this process before it starts anything: Landlock applies to the calling thread and what
 * it starts later, never to threads that already run, so the main thread confines itself and then
 * execs the same command line. The new program (same PID, same arguments, same environment plus
 * {@value #MARKER}) is confined from its first instruction, every JVM thread included.
 */
public final class ProcessConfinement {

    /** Set in the environment of the confined program: the Landlock ABI it was confined with. */
    public static final String MARKER = "PLUGBOARD_CONFINED";

    private static final Logger log = LoggerFactory.getLogger(ProcessConfinement.class);

    private final LinuxCalls calls;
    private final Landlock landlock;

    public ProcessConfinement() {
        this.calls = new LinuxCalls();
        this.landlock = new Landlock(calls);
    }

    /** The kernel's Landlock ABI, or why there is none usable. */
    public static String unsupportedReason(int abi) {
        if (abi <= 0) {
            return "the kernel has no Landlock (errno " + -abi + "; Linux 5.19 or newer with landlock in lsm=)";
        }
        return "the kernel's Landlock ABI " + abi + " is older than " + Landlock.MINIMUM_ABI + " (Linux 5.19)";
    }

    public int abi() {
        return landlock.abi();
    }

    /**
     * Confines the calling thread to {@code plan} and replaces the process with its own command
     * line. Returns only by throwing.
     */
    public void confineAndRestart(ConfinementPlan plan, int abi) {
        List<String> commandLine = commandLine();
        String java;
        try {
            java = Path.of("/proc/self/exe").toRealPath().toString();
        } catch (IOException e) {
            throw new ConfinementException("Cannot resolve this process's program: " + e.getMessage(), e);
        }
        plan.createWritableFolders();
        log.info("Confining the process with Landlock ABI {}: {} paths readable, {} writable; restarting it confined",
                abi, plan.rules().stream().filter(r -> r.access() != Access.READ_WRITE).count(),
                plan.rules().stream().filter(r -> r.access() == Access.READ_WRITE).count());
        if (log.isDebugEnabled()) {
            plan.rules().forEach(rule -> log.debug("Confined access: {} {}", rule.access(), rule.path()));
            log.debug("Restarting {} {}", java, commandLine);
        }
        Map<String, String> env = new TreeMap<>(System.getenv());
        env.put(MARKER, Integer.toString(abi));
        List<String> envp = new ArrayList<>();
        env.forEach((k, v) -> envp.add(k + "=" + v));
        landlock.restrict(plan.rules(), abi);
        System.out.flush();
        System.err.flush();
        try {
            calls.execve(java, commandLine.toArray(String[]::new), envp.toArray(String[]::new));
        } catch (RuntimeException e) {
            throw new ConfinementException("Could not restart " + java + " confined: " + e.getMessage(), e, true);
        }
        throw new ConfinementException("execve returned", null, true);
    }

    /** This process's arguments, program name first, exactly as it was started. */
    public static List<String> commandLine() {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException e) {
            throw new ConfinementException("Cannot read this process's command line: " + e.getMessage(), e);
        }
    }
}
