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
 * inflate to by the request size limit and charges it as it is read, so a small body that
 * inflates far (an archive bomb) is refused at the limit. Data that is not what its encoding says
 * is a 400; an encoding the server does not know is a 415.
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
        try {
            return switch (encoding) {
                case "gzip", "x-gzip" -> new Inflated(new GZIPInputStream(source), encoding);
                case "deflate" -> new Inflated(new InflaterInputStream(source), encoding);
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

    /** An inflating stream whose format errors are the client's (400), not I/O failures. */
    private static final class Inflated extends FilterInputStream {

        private final String encoding;

        Inflated(InputStream in, String encoding) {
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
