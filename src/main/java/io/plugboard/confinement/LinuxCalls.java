package io.plugboard.confinement;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The libc calls confinement needs, through JNA: the Landlock system calls, prctl, open and execve. */
final class LinuxCalls {

    /** Landlock's system call numbers, shared by every 64-bit Linux architecture. */
    private static final long CREATE_RULESET = 444;
    private static final long ADD_RULE = 445;
    private static final long RESTRICT_SELF = 446;
    private static final long CREATE_RULESET_VERSION = 1;
    private static final int RULE_PATH_BENEATH = 1;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int O_PATH = 0x200000;
    private static final int O_CLOEXEC = 0x80000;

    private interface C extends Library {
        long syscall(long number, Object... args) throws LastErrorException;

        int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int execve(String path, String[] argv, String[] envp) throws LastErrorException;
    }

    private final C c;

    LinuxCalls() {
        this.c = Native.load("c", C.class);
    }

    /** Landlock's ABI version, or a negative errno when the kernel has none (or it is disabled). */
    int landlockAbi() {
        try {
            return (int) c.syscall(CREATE_RULESET, (Pointer) null, 0L, CREATE_RULESET_VERSION);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /** A ruleset handling these access rights; the attribute's size follows the ABI's fields. */
    int createRuleset(long handledFs, long scoped, int abi) {
        Memory attr = new Memory(24);
        attr.setLong(0, handledFs);
        attr.setLong(8, 0); // network access stays unrestricted
        attr.setLong(16, scoped);
        long size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
        return (int) c.syscall(CREATE_RULESET, attr, size, 0L);
    }

    /** Allows {@code access} beneath the file or folder at {@code path} (which must exist). */
    void addPathRule(int ruleset, String path, long access) {
        int fd = c.open(path, O_PATH | O_CLOEXEC);
        try {
            Memory attr = new Memory(12); // struct landlock_path_beneath_attr is packed
            attr.setLong(0, access);
            attr.setInt(8, fd);
            c.syscall(ADD_RULE, (long) ruleset, (long) RULE_PATH_BENEATH, attr, 0L);
        } finally {
            c.close(fd);
        }
    }

    /** Restricts the calling thread, and every thread and program it starts from now on. */
    void restrictSelf(int ruleset) {
        c.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        c.syscall(RESTRICT_SELF, (long) ruleset, 0L);
    }

    void close(int fd) {
        c.close(fd);
    }

    /** Replaces this process with {@code path}; returns only by throwing. */
    void execve(String path, String[] argv, String[] envp) {
        c.execve(path, argv, envp);
    }
}
