package io.plugboard.archive;

/** Caps on what an uploaded archive may expand to: entries and total uncompressed bytes. */
public record ArchiveLimits(int maxEntries, long maxExpandedBytes) {
}
