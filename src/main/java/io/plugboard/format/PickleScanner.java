package io.plugboard.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads a Python pickle's opcode stream without executing it and lists the globals (module.name)
 * it would import. Nothing is ever constructed: arguments are skipped by their declared sizes.
 */
final class PickleScanner {

    /** The globals seen, and whether the stream parsed to a STOP opcode. */
    record Summary(Set<String> globals, int pickles, boolean wellFormed) {

        /** True when only torch tensor-rebuilding helpers and containers are referenced. */
        boolean isStateDict() {
            return !globals.isEmpty() && globals.stream().allMatch(PickleScanner::isWeightsOnlyGlobal);
        }
    }

    private static final int MAX_STRING = 1 << 20;

    private PickleScanner() {
    }

    static boolean isWeightsOnlyGlobal(String global) {
        return global.equals("collections.OrderedDict")
                || global.startsWith("torch._utils._rebuild_")
                || global.matches("torch\\.[A-Za-z]*Storage")
                || global.equals("torch.device") || global.startsWith("torch._tensor._rebuild")
                || global.equals("builtins.set") || global.startsWith("_codecs.")
                || global.equals("torch.serialization._get_layout")
                || global.matches("torch\\.(float|half|bfloat16|double|int|long|short|uint8|int8|bool)[0-9]*");
    }

    /** Scans up to {@code maxPickles} consecutive pickles (legacy torch.save writes several). */
    static Summary scan(InputStream in, int maxPickles) throws IOException {
        Set<String> globals = new LinkedHashSet<>();
        Deque<String> recentStrings = new ArrayDeque<>();
        // strings the pickle memoised: Python's pickler fetches a repeated module name from the memo
        java.util.Map<Long, String> memo = new java.util.HashMap<>();
        long memoized = 0; // MEMOIZE's next index, counted even past what is kept
        String top = null; // the string on top of the stack, when the last push was one
        int pickles = 0;
        boolean wellFormed = false;
        outer:
        while (pickles < maxPickles) {
            int op = in.read();
            if (op < 0) {
                break;
            }
            boolean stopped = false;
            memo.clear();
            memoized = 0;
            while (!stopped) {
                if (op < 0) {
                    break outer;
                }
                String pushed = null;
                boolean keepsTop = false;
                switch (op) {
                    case '.' -> stopped = true;
                    case 'c', 'i' -> {
                        String module = line(in);
                        String name = line(in);
                        if (module == null || name == null) {
                            break outer;
                        }
                        addGlobal(globals, module + "." + name);
                    }
                    case 0x93 -> { // STACK_GLOBAL: module and name are the last two strings pushed
                        if (recentStrings.size() >= 2) {
                            String name = recentStrings.pollLast();
                            String module = recentStrings.pollLast();
                            addGlobal(globals, module + "." + name);
                        }
                    }
                    case 0x8c, 'U' -> pushed = remember(recentStrings, string(in, in.read()));
                    case 'X', 'T' -> pushed = remember(recentStrings, string(in, readLe(in, 4)));
                    case 0x8d -> pushed = remember(recentStrings, string(in, readLe(in, 8)));
                    case 'V' -> {
                        String text = line(in);
                        if (text == null) {
                            break outer;
                        }
                        pushed = remember(recentStrings, text);
                    }
                    case 0x94 -> { // MEMOIZE
                        remember(memo, memoized++, top);
                        keepsTop = true;
                    }
                    case 'q', 'r', 'p' -> { // BINPUT, LONG_BINPUT, PUT
                        remember(memo, memoIndex(in, op), top);
                        keepsTop = true;
                    }
                    case 'h', 'j', 'g' -> pushed = remember(recentStrings, memo.get(memoIndex(in, op))); // *GET
                    case 'F', 'I', 'L', 'P', 'S' -> {
                        if (line(in) == null) {
                            break outer;
                        }
                    }
                    case 'J', 0x84 -> skip(in, 4);
                    case 'K', 0x80, 0x82 -> skip(in, 1);
                    case 'M', 0x83 -> skip(in, 2);
                    case 'G', 0x95 -> skip(in, 8);
                    case 'B' -> skip(in, readLe(in, 4));
                    case 'C' -> skip(in, in.read());
                    case 0x8a -> skip(in, in.read());
                    case 0x8b -> skip(in, readLe(in, 4));
                    case 0x8e, 0x96 -> skip(in, readLe(in, 8));
                    case '(', '0', '1', '2', 'N', 'Q', 'R', 'a', 'b', 'd', '}', 'e', 'l', ']', 'o', 's',
                            't', ')', 'u', 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92,
                            0x97, 0x98 -> {
                        // no argument
                    }
                    default -> {
                        break outer;
                    }
                }
                top = keepsTop ? top : pushed;
                if (!stopped) {
                    op = in.read();
                }
            }
            if (!stopped) {
                break;
            }
            pickles++;
            wellFormed = true;
        }
        return new Summary(globals, pickles, wellFormed);
    }

    /** What a scan keeps, whatever the file's size: a pickle is read to its end, never into memory whole. */
    private static final int MAX_KEPT = 4096;

    private static void addGlobal(Set<String> globals, String global) {
        if (globals.size() < MAX_KEPT) {
            globals.add(global);
        }
    }

    /** Keeps a memoised string (only strings matter here), up to {@link #MAX_KEPT} of them. */
    private static void remember(java.util.Map<Long, String> memo, long index, String value) {
        if (value == null) {
            memo.remove(index);
        } else if (memo.size() < MAX_KEPT || memo.containsKey(index)) {
            memo.put(index, value);
        }
    }

    /** Notes a pushed string as a possible STACK_GLOBAL operand; answers it. */
    private static String remember(Deque<String> recent, String s) {
        if (s == null) {
            return null;
        }
        recent.addLast(s);
        if (recent.size() > 2) {
            recent.pollFirst();
        }
        return s;
    }

    /** The memo index a PUT/GET family opcode names: 1 byte, 4 bytes, or a decimal line. */
    private static long memoIndex(InputStream in, int op) throws IOException {
        return switch (op) {
            case 'q', 'h' -> in.read();
            case 'r', 'j' -> readLe(in, 4);
            default -> {
                String text = line(in);
                try {
                    yield text == null ? -1 : Long.parseLong(text.strip());
                } catch (NumberFormatException e) {
                    yield -1;
                }
            }
        };
    }

    private static String string(InputStream in, long length) throws IOException {
        if (length < 0 || length > MAX_STRING) {
            skip(in, length);
            return null;
        }
        byte[] b = in.readNBytes((int) length);
        return b.length == length ? new String(b, StandardCharsets.UTF_8) : null;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4096; i++) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == '\n') {
                return sb.toString();
            }
            sb.append((char) c);
        }
        return null;
    }

    private static long readLe(InputStream in, int bytes) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    private static void skip(InputStream in, long n) throws IOException {
        if (n < 0) {
            throw new IOException("truncated pickle");
        }
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException("truncated pickle");
                }
                s = 1;
            }
            left -= s;
        }
    }
}
