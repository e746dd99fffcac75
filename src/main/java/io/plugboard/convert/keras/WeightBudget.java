package io.plugboard.convert.keras;

/** Counts the weight bytes read so far against the limit and the size of the file they come from. */
final class WeightBudget {

    private final long maxBytes;
    private final long fileBytes;
    private long used;

    WeightBudget(long maxBytes, long fileBytes) {
        this.maxBytes = maxBytes;
        this.fileBytes = fileBytes;
    }

    /** Claims {@code bytes}; {@code compressed} data may exceed the file's size but not the limit. */
    void claim(long bytes, boolean compressed, String what) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 16L) {
            throw KerasProblems.notAModel("weight " + what + " is too large");
        }
        if (!compressed && bytes > fileBytes) {
            throw KerasProblems.notAModel("weight " + what + " declares more data than the file holds");
        }
        if (used + bytes > maxBytes) {
            throw KerasProblems.notAModel("weights exceed the limit of " + maxBytes + " bytes");
        }
        used += bytes;
    }
}
