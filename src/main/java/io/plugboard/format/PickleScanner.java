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
        int pickles = 0;
        boolean wellFormed = false;
        outer:
        while (pickles < maxPickles) {
            int op = in.read();
            if (op < 0) {
                break;
            }
            boolean stopped = false;
            while (!stopped) {
                if (op < 0) {
                    break outer;
                }
                switch (op) {
                    case '.' -> stopped = true;
                    case 'c', 'i' -> {
                        String module = line(in);
                        String name = line(in);
                        if (module == null || name == null) {
                            break outer;
                        }
                        globals.add(module + "." + name);
                    }
                    case 0x93 -> { // STACK_GLOBAL: module and name are the last two strings pushed
                        if (recentStrings.size() >= 2) {
                            String name = recentStrings.pollLast();
                            String module = recentStrings.pollLast();
                            globals.add(module + "." + name);
                        }
                    }
                    case 0x8c -> remember(recentStrings, string(in, in.read()));
                    case 'X' -> remember(recentStrings, string(in, readLe(in, 4)));
                    case 0x8d -> remember(recentStrings, string(in, readLe(in, 8)));
                    case 'F', 'I', 'L', 'P', 'S', 'V', 'g', 'p' -> {
                        if (line(in) == null) {
                            break outer;
                        }
                    }
                    case 'J', 'j', 'r', 0x84 -> skip(in, 4);
                    case 'K', 'h', 'q', 0x80, 0x82 -> skip(in, 1);
                    case 'M', 0x83 -> skip(in, 2);
                    case 'G', 0x95 -> skip(in, 8);
                    case 'T', 'B' -> skip(in, readLe(in, 4));
                    case 'U', 'C' -> skip(in, in.read());
                    case 0x8a -> skip(in, in.read());
                    case 0x8b -> skip(in, readLe(in, 4));
                    case 0x8e, 0x96 -> skip(in, readLe(in, 8));
                    case '(', '0', '1', '2', 'N', 'Q', 'R', 'a', 'b', 'd', '}', 'e', 'l', ']', 'o', 's',
                            't', ')', 'u', 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92,
                            0x94, 0x97, 0x98 -> {
                        // no argument
                    }
                    default -> {
                        break outer;
                    }
                }
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

    private static void remember(Deque<String> recent, String s) {
        if (s == null) {
            return;
        }
        recent.addLast(s);
        if (recent.size() > 2) {
            recent.pollFirst();
        }
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
