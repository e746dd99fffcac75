package io.plugboard.confinement;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Whether this process runs confined, as {@code /v1/hardware} and the startup log report it:
 * {@code landlock} (confined, with its ABI), {@code off} (disabled by configuration),
 * {@code unsupported} (the kernel cannot; the reason says why) or {@code not-confined} (started
 * without Plugboard's own {@code main}, e.g. embedded in tests).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfinementStatus(String state, Integer abi, String detail) {

    /** Where the start-up records why it did not confine (read back by {@link #detect}). */
    public static final String UNSUPPORTED_PROPERTY = "plugboard.confinement.unsupported-reason";

    public boolean confined() {
        return "landlock".equals(state);
    }

    /**
     * This process's state. A marker alone is not trusted: a confined process cannot open its own
     * {@code /proc/self/coredump_filter} for writing (no rule grants it; any process can
     * otherwise), so that is checked too.
     */
    public static ConfinementStatus detect(ConfinementMode mode, Map<String, String> env, String unsupportedReason) {
        String marker = env.get(ProcessConfinement.MARKER);
        if (marker != null) {
            if (canWriteOwnProcFile()) {
                return new ConfinementStatus("not-confined", null, ProcessConfinement.MARKER
                        + " is set but the file system is not restricted");
            }
            Integer abi = null;
            try {
                abi = Integer.valueOf(marker.trim());
            } catch (NumberFormatException e) {
                // the state stands without its ABI
            }
            return new ConfinementStatus("landlock", abi, "files outside the store, the engine cache, the temp folder, "
                    + "the configuration and what the JVM needs can be neither read nor written; no program but the "
                    + "JDK's and ldconfig can be started");
        }
        if (mode == ConfinementMode.OFF) {
            return new ConfinementStatus("off", null, "plugboard.confinement.mode=off");
        }
        if (unsupportedReason != null) {
            return new ConfinementStatus("unsupported", null, unsupportedReason);
        }
        return new ConfinementStatus("not-confined", null, "started without Plugboard's main (embedded)");
    }

    private static boolean canWriteOwnProcFile() {
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/coredump_filter"), StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
