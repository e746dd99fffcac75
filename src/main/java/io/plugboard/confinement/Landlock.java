package io.plugboard.confinement;

import com.sun.jna.LastErrorException;
import java.nio.file.Files;
import java.util.List;

/**
 * Linux Landlock (unprivileged, kernel 5.19 or newer for ABI 2): once {@link #restrict} has run,
 * the calling thread and everything it starts (threads, programs, and the program it execs) may
 * open, create, delete or run files only where a {@link PathRule} allows it. From ABI 6 on, signals
 * and abstract Unix sockets to processes outside the domain are refused too. Network access is not
 * restricted.
 */
final class Landlock {

    static final long EXECUTE = 1L;
    static final long WRITE_FILE = 1L << 1;
    static final long READ_FILE = 1L << 2;
    static final long READ_DIR = 1L << 3;
    static final long REMOVE_DIR = 1L << 4;
    static final long REMOVE_FILE = 1L << 5;
    static final long MAKE_CHAR = 1L << 6;
    static final long MAKE_DIR = 1L << 7;
    static final long MAKE_REG = 1L << 8;
    static final long MAKE_SOCK = 1L << 9;
    static final long MAKE_FIFO = 1L << 10;
    static final long MAKE_BLOCK = 1L << 11;
    static final long MAKE_SYM = 1L << 12;
    static final long REFER = 1L << 13;
    static final long TRUNCATE = 1L << 14;
    static final long IOCTL_DEV = 1L << 15;
    /** Rights that mean something on a single file (a rule on a file may hold no other). */
    static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;
    private static final long SCOPE_ABSTRACT_UNIX_SOCKET = 1;
    private static final long SCOPE_SIGNAL = 2;

    /** The oldest ABI used: before 2, a file could never move between folders under Landlock. */
    static final int MINIMUM_ABI = 2;

    private final LinuxCalls calls;

    Landlock(LinuxCalls calls) {
        this.calls = calls;
    }

    /** The kernel's Landlock ABI version; 0 or less when it has none. */
    int abi() {
        return calls.landlockAbi();
    }

    /** The access rights an ABI version knows. */
    static long handled(int abi) {
        long rights = (MAKE_SYM << 1) - 1;
        if (abi >= 2) {
            rights |= REFER;
        }
        if (abi >= 3) {
            rights |= TRUNCATE;
        }
        if (abi >= 5) {
            rights |= IOCTL_DEV;
        }
        return rights;
    }

    /** The rights {@code access} grants, as far as the ABI knows them. */
    static long rights(Access access, int abi) {
        long read = READ_FILE | READ_DIR;
        long rights = switch (access) {
            case LIST -> READ_DIR;
            case READ -> read;
            case READ_EXECUTE -> read | EXECUTE;
            case READ_WRITE -> read | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SOCK
                    | MAKE_FIFO | MAKE_SYM | REFER | TRUNCATE;
            case DEVICES -> read | WRITE_FILE | TRUNCATE | IOCTL_DEV;
        };
        return rights & handled(abi);
    }

    /** Confines the calling thread to {@code rules}; paths that do not exist are skipped. */
    void restrict(List<PathRule> rules, int abi) {
        if (abi < MINIMUM_ABI) {
            throw new ConfinementException("Landlock ABI " + abi + " is older than " + MINIMUM_ABI);
        }
        long scoped = abi >= 6 ? SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL : 0;
        int ruleset;
        try {
            ruleset = calls.createRuleset(handled(abi), scoped, abi);
        } catch (LastErrorException e) {
            throw new ConfinementException("Landlock refused a ruleset (errno " + e.getErrorCode() + ")", e);
        }
        try {
            for (PathRule rule : rules) {
                if (!Files.exists(rule.path())) {
                    continue;
                }
                long rights = rights(rule.access(), abi);
                if (!Files.isDirectory(rule.path())) {
                    rights &= FILE_RIGHTS;
                }
                try {
                    calls.addPathRule(ruleset, rule.path().toString(), rights);
                } catch (LastErrorException e) {
                    throw new ConfinementException("Landlock refused the rule for " + rule.path() + " (errno "
                            + e.getErrorCode() + ")", e);
                }
            }
            try {
                calls.restrictSelf(ruleset);
            } catch (LastErrorException e) {
                throw new ConfinementException("Landlock could not confine the process (errno " + e.getErrorCode()
                        + ")", e);
            }
        } finally {
            calls.close(ruleset);
        }
    }
}
