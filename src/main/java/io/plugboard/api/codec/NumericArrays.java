package io.plugboard.api.codec;

import java.util.Arrays;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The numeric {@code data} arrays of a JSON request body, found in one pass over its bytes, so
 * that their elements are converted straight from the bytes ({@link NumberText}) instead of
 * through a parser token each: for an image-sized tensor that token stream costs more than the
 * model.
 *
 * <p>The parser then reads the body with each such array left empty ({@code []}), and the input
 * reader converts the array spliced out at that offset. Only the {@code data} of an entry of the
 * top-level {@code inputs} is spliced, and only an array holding numbers (nested arrays of
 * numbers included) as strict JSON spells them. Only a body that is strictly valid JSON as far as
 * this scan checks is spliced at all; anything else is parsed as it was sent, so every refusal
 * and its message are the parser's own.
 */
final class NumericArrays {

    /** Deeper nesting than this is left to the parser (which has its own limit). */
    private static final int MAX_NESTING = 64;
    /** A number longer than this leaves its array to the parser. */
    private static final int MAX_NUMBER_LENGTH = 64;
    /** The deepest nesting {@link DataReader} reads in a {@code data} value. */
    private static final int MAX_DATA_DEPTH = DataReader.MAX_DEPTH;

    static final NumericArrays NONE = new NumericArrays(new byte[0], new byte[0], new int[0], new int[0], new int[0],
            new int[0]);

    private static final byte[] INPUTS = {'i', 'n', 'p', 'u', 't', 's'};
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final int OTHER = 0;
    private static final int ROOT = 1;
    private static final int INPUT_LIST = 2;
    private static final int INPUT = 3;
    private static final int DATA_VALUE = 4;
    /** Not a role: a key that could not be read. */
    private static final int NO_VALUE = -1;
    /**
     * More numeric arrays than this leave the body to the parser, which refuses a request with
     * more inputs anyway: what the scan keeps per array stays bounded.
     */
    private static final int MAX_ARRAYS = io.plugboard.inference.InferenceRequest.MAX_TENSORS;

    private final byte[] body;
    private final byte[] parsed;
    /** Where each spliced array's {@code [} is in {@link #parsed}, ascending. */
    private final int[] at;
    /** Each spliced array's bytes in {@link #body}: from its {@code [} to just after its {@code ]}. */
    private final int[] from;
    private final int[] to;
    /** How many numbers each spliced array holds. */
    private final int[] elements;

    private NumericArrays(byte[] body, byte[] parsed, int[] at, int[] from, int[] to, int[] elements) {
        this.body = body;
        this.parsed = parsed;
        this.at = at;
        this.from = from;
        this.to = to;
        this.elements = elements;
    }

    /** The numeric arrays of {@code body}; none when it holds none or is not strictly valid JSON. */
    static NumericArrays in(byte[] body) {
        Scan scan = new Scan(body);
        if (!scan.document() || scan.count == 0) {
            return new NumericArrays(body, body, new int[0], new int[0], new int[0], new int[0]);
        }
        int n = scan.count;
        int removed = 0;
        for (int k = 0; k < n; k++) {
            removed += scan.ends[k] - scan.starts[k] - 2;
        }
        byte[] parsed = new byte[body.length - removed];
        int[] at = new int[n];
        int read = 0;
        int written = 0;
        for (int k = 0; k < n; k++) {
            int keep = scan.starts[k] + 1 - read; // up to and with the '['
            System.arraycopy(body, read, parsed, written, keep);
            at[k] = written + keep - 1;
            written += keep;
            read = scan.ends[k] - 1; // from the ']'
        }
        System.arraycopy(body, read, parsed, written, body.length - read);
        return new NumericArrays(body, parsed, at, Arrays.copyOf(scan.starts, n), Arrays.copyOf(scan.ends, n),
                Arrays.copyOf(scan.counts, n));
    }

    /** How many arrays were spliced out. */
    int arrays() {
        return at.length;
    }

    /** What the parser reads: the body with the numeric arrays emptied. */
    byte[] parsed() {
        return parsed;
    }

    /**
     * The spliced array the parser is at, or -1: when it is one, the parser is moved past its
     * (empty) placeholder.
     */
    int take(JsonParser p) {
        if (at.length == 0 || p.currentToken() != JsonToken.START_ARRAY) {
            return -1;
        }
        long offset = p.currentTokenLocation().getByteOffset();
        int k = offset < 0 || offset > Integer.MAX_VALUE ? -1 : Arrays.binarySearch(at, (int) offset);
        if (k < 0) {
            return -1;
        }
        p.nextToken(); // the placeholder's ']'
        return k;
    }

    /** How many numbers spliced array {@code k} holds. */
    int elements(int k) {
        return elements[k];
    }

    /** Sends the elements of spliced array {@code k} to {@code sink}. */
    void read(int k, ElementSink sink) {
        NumberText.read(body, from[k], to[k], sink);
    }

    /** One strict pass over a JSON document, recording the numeric {@code data} arrays of its inputs. */
    private static final class Scan {

        private static final int MORE = 1;
        private static final int CLOSED = 0;
        private static final int FAILED = -1;

        private final byte[] b;
        private final int end;
        private int pos;
        int count;
        int[] starts = new int[4];
        int[] ends = new int[4];
        int[] counts = new int[4];

        Scan(byte[] b) {
            this.b = b;
            this.end = b.length;
        }

        boolean document() {
            ws();
            if (!at('{') || !container(1, ROOT, '}')) {
                return false;
            }
            ws();
            return pos == end && count <= MAX_ARRAYS;
        }

        private boolean value(int depth, int role) {
            if (pos >= end) {
                return false;
            }
            return switch (b[pos]) {
                case '{' -> container(depth + 1, role, '}');
                case '[' -> role == DATA_VALUE && numeric() || container(depth + 1, role, ']');
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> number() > 0;
            };
        }

        /** An object or array, opened at the position; {@code close} is its closing bracket. */
        private boolean container(int depth, int role, char close) {
            if (depth > MAX_NESTING) {
                return false;
            }
            pos++;
            ws();
            if (at(close)) {
                pos++;
                return true;
            }
            while (true) {
                int child = close == '}' ? key(role) : role == INPUT_LIST ? INPUT : OTHER;
                int next = child != NO_VALUE && value(depth, child) ? next(close) : FAILED;
                if (next != MORE) {
                    return next == CLOSED;
                }
            }
        }

        /** An object member's key and colon: the role of the value that follows, or {@link #NO_VALUE}. */
        private int key(int role) {
            int key = pos + 1;
            if (!at('"') || !string()) {
                return NO_VALUE;
            }
            int keyEnd = pos - 1;
            ws();
            if (!at(':')) {
                return NO_VALUE;
            }
            pos++;
            ws();
            return role == ROOT && is(key, keyEnd, INPUTS) ? INPUT_LIST
                    : role == INPUT && is(key, keyEnd, DATA) ? DATA_VALUE : OTHER;
        }

        /** After a member: a comma (then whitespace), the closing bracket, or anything else. */
        private int next(char close) {
            ws();
            if (at(',')) {
                pos++;
                ws();
                return MORE;
            }
            if (at(close)) {
                pos++;
                return CLOSED;
            }
            return FAILED;
        }

        /**
         * An array of numbers and arrays of numbers, recorded when it holds at least one number;
         * otherwise the position is left at its {@code [} for the general scan.
         */
        private boolean numeric() {
            if (count > MAX_ARRAYS) {
                return false; // the body is not spliced: no need to look
            }
            int start = pos;
            int numbers = numbers();
            if (numbers <= 0) {
                pos = start;
                return false;
            }
            if (count == MAX_ARRAYS) {
                count++; // one too many: nothing more is kept, and the body is not spliced
                return true;
            }
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
                counts = Arrays.copyOf(counts, count * 2);
            }
            starts[count] = start;
            ends[count] = pos;
            counts[count] = numbers;
            count++;
            return true;
        }

        /** Counts the numbers of the array at the position, or -1 when it holds anything else. */
        private int numbers() {
            int nesting = 0; // arrays open inside the outer one
            int numbers = 0;
            pos++;
            ws();
            if (at(']')) {
                pos++;
                return 0;
            }
            while (true) {
                if (at('[')) {
                    if (++nesting > MAX_DATA_DEPTH) {
                        return -1;
                    }
                    pos++;
                    ws();
                    if (!at(']')) {
                        continue; // the nested array's first element
                    }
                    pos++;
                    nesting--;
                } else {
                    int length = number();
                    if (length <= 0 || length > MAX_NUMBER_LENGTH) {
                        return -1;
                    }
                    numbers++;
                }
                while (true) { // after an element: closing brackets, then a comma or the outer array's end
                    ws();
                    if (pos >= end) {
                        return -1;
                    }
                    if (b[pos] == ',') {
                        pos++;
                        ws();
                        break;
                    }
                    if (b[pos] != ']') {
                        return -1;
                    }
                    pos++;
                    if (nesting == 0) {
                        return numbers;
                    }
                    nesting--;
                }
            }
        }

        /** A number as strict JSON spells it; its length, or -1. */
        private int number() {
            int start = pos;
            if (at('-')) {
                pos++;
            }
            if (at('0')) {
                pos++;
            } else if (!digits()) {
                return -1;
            }
            if (at('.')) {
                pos++;
                if (!digits()) {
                    return -1;
                }
            }
            if (at('e') || at('E')) {
                pos++;
                if (at('+') || at('-')) {
                    pos++;
                }
                if (!digits()) {
                    return -1;
                }
            }
            return pos - start;
        }

        /** One or more digits. */
        private boolean digits() {
            int start = pos;
            pos = Digits.end(b, pos, end);
            return pos > start;
        }

        /** A string; escapes are skipped, not checked (the parser checks them), control characters refused. */
        private boolean string() {
            pos++;
            while (pos < end) {
                byte c = b[pos++];
                if (c == '"') {
                    return true;
                }
                if (c == '\\') {
                    pos++;
                } else if (c >= 0 && c < 0x20) {
                    return false;
                }
            }
            return false;
        }

        private boolean literal(String word) {
            for (int i = 0; i < word.length(); i++, pos++) {
                if (!at(word.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        private boolean is(int from, int to, byte[] word) {
            return Arrays.equals(b, from, to, word, 0, word.length);
        }

        private boolean at(char c) {
            return pos < end && b[pos] == c;
        }

        private void ws() {
            while (pos < end && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
                pos++;
            }
        }
    }
}
