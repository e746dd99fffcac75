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
 * inflate to by the request size limit and charges it as it is read, and {@link InflationLimit}
 * holds it to a ratio of what was read of it, so a small body cannot cost the CPU and memory of a
 * huge one (a 413). Data that is not what its encoding
 * says is a 400; an encoding the server does not know is a 415.
 */
final class ContentEncodings {

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
        InflationLimit.Inflater<IOException> inflater = switch (encoding) {
            case "gzip", "x-gzip" -> GZIPInputStream::new;
            case "deflate" -> InflaterInputStream::new;
            default -> throw new PlugboardException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding '"
                    + encoding + "' is not supported: send the body as it is, or as gzip or deflate.",
                    Map.of("contentEncoding", encoding));
        };
        try {
            return new Readable(InflationLimit.held(source, inflater, () -> new PlugboardException(
                    ProblemType.PAYLOAD_TOO_LARGE, "The " + encoding + " body inflates to more than "
                            + InflationLimit.MAX_RATIO + " times its size; send it uncompressed, or less compressed.",
                    Map.of("maxRatio", InflationLimit.MAX_RATIO))), encoding);
        } catch (ZipException | EOFException e) { // the gzip header itself is wrong or missing
            throw corrupt(encoding, e);
        }
    }

    private static PlugboardException corrupt(String encoding, IOException e) {
        return new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body is not valid " + encoding
                + " data (" + e.getMessage() + ").");
    }

    /** An inflating stream whose format errors are the client's (400), not I/O failures. */
    private static final class Readable extends FilterInputStream {

        private final String encoding;

        Readable(InputStream in, String encoding) {
            super(in);
            this.encoding = encoding;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (ZipException | EOFException e) {
                throw corrupt(encoding, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (ZipException | EOFException e) {
                throw corrupt(encoding, e);
            }
        }
    }
}
