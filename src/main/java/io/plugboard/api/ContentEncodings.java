package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Request bodies sent compressed ({@code Content-Encoding: gzip} or {@code deflate}, as
 * tritonclient's {@code request_compression_algorithm} sends them). The caller bounds what they
 * inflate to by the request size limit and charges it as it is read; past its first MiB a body may
 * inflate to at most {@link #MAX_RATIO} times what was read of it (as archives may), so a small
 * body cannot cost the CPU and memory of a huge one (a 413). Data that is not what its encoding
 * says is a 400; an encoding the server does not know is a 415.
 */
final class ContentEncodings {

    /** How many times its compressed size a body may inflate to, past {@link #FREE_BYTES}. */
    static final int MAX_RATIO = 100;
    /** What any compressed body may inflate to, whatever its ratio. */
    static final long FREE_BYTES = 1 << 20;

    private ContentEncodings() {
    }

    /** Whether the body is sent compressed (any {@code Content-Encoding} other than identity). */
    static boolean compressed(HttpServletRequest request) {
        String encoding = request.getHeader("Content-Encoding");
        return encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity");
    }

    /** The body as sent before compression; {@code source} itself when it was not compressed. */
    static InputStream decoded(HttpServletRequest request, InputStream source) throws IOException {
        if (!compressed(request)) {
            return source;
        }
        String encoding = request.getHeader("Content-Encoding").trim().toLowerCase(Locale.ROOT);
        Counted sent = new Counted(source);
        try {
            return switch (encoding) {
                case "gzip", "x-gzip" -> new Inflated(new GZIPInputStream(sent), encoding, sent);
                case "deflate" -> new Inflated(new InflaterInputStream(sent), encoding, sent);
                default -> throw new PlugboardException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding '"
                        + encoding + "' is not supported: send the body as it is, or as gzip or deflate.",
                        Map.of("contentEncoding", encoding));
            };
        } catch (ZipException | EOFException e) { // the gzip header itself is wrong or missing
            throw corrupt(encoding, e);
        }
    }

    private static PlugboardException corrupt(String encoding, IOException e) {
        return new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body is not valid " + encoding
                + " data (" + e.getMessage() + ").");
    }

    /** The compressed bytes read so far. */
    private static final class Counted extends FilterInputStream {

        private long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /**
     * An inflating stream whose format errors are the client's (400), not I/O failures, held to
     * {@link #MAX_RATIO}.
     */
    private static final class Inflated extends FilterInputStream {

        private final String encoding;
        private final Counted sent;
        private long inflated;

        Inflated(InputStream in, String encoding, Counted sent) {
            super(in);
            this.encoding = encoding;
            this.sent = sent;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (ZipException | EOFException e) {
                throw corrupt(encoding, e);
            }
            if (n > 0) {
                inflated += n;
                if (inflated > FREE_BYTES && inflated > MAX_RATIO * Math.max(1, sent.count)) {
                    throw new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE, "The " + encoding + " body inflates "
                            + "to more than " + MAX_RATIO + " times its size; send it uncompressed, or less compressed.",
                            Map.of("maxRatio", MAX_RATIO));
                }
            }
            return n;
        }
    }
}
