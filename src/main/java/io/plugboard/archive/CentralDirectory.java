package io.plugboard.archive;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Reads a zip's end-of-central-directory record (and its zip64 form) to learn how many entries the
 * archive declares and how large its directory is, before any library parses that directory into
 * memory: an archive of millions of tiny entries is refused for what it declares.
 */
final class CentralDirectory {

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    /** Directory bytes allowed per entry: a header and a long name. */
    private static final long BYTES_PER_ENTRY = 1024;

    private CentralDirectory() {
    }

    static void requireWithin(Path archive, int maxEntries) {
        try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.READ)) {
            long size = channel.size();
            int tailLength = (int) Math.min(size, 65_557);
            ByteBuffer tail = ByteBuffer.allocate(tailLength).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(tail, size - tailLength);
            int at = -1;
            for (int i = tailLength - 22; i >= 0; i--) {
                if (tail.getInt(i) == EOCD) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                return; // not readable as a zip here: the extractor's own reading refuses it
            }
            long entries = Short.toUnsignedLong(tail.getShort(at + 10));
            long directory = Integer.toUnsignedLong(tail.getInt(at + 12));
            if ((entries == 0xffff || directory == 0xffffffffL) && at >= 20 && tail.getInt(at - 20) == ZIP64_LOCATOR) {
                ByteBuffer record = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
                channel.read(record, tail.getLong(at - 20 + 8));
                if (record.getInt(0) == ZIP64_EOCD) {
                    entries = record.getLong(32);
                    directory = record.getLong(40);
                }
            }
            if (entries > maxEntries || directory < 0 || directory > maxEntries * BYTES_PER_ENTRY) {
                throw new PlugboardException(ProblemType.ARCHIVE_TOO_LARGE, "The archive declares " + entries
                        + " entries in a " + directory + "-byte directory; at most " + maxEntries
                        + " entries are taken (plugboard.archive.max-entries).", Map.of("limitEntries", maxEntries));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
