package io.plugboard.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HexFormat;

/** Describes a file nothing recognised, for the error message: its name, size and first bytes in hex. */
final class HeadDescription {

    private static final int SHOWN_BYTES = 8;

    private HeadDescription() {
    }

    static String of(CandidateFile file) {
        try (InputStream in = Files.newInputStream(file.path())) {
            byte[] head = in.readNBytes(SHOWN_BYTES);
            return file.name() + ": " + file.size() + " bytes starting "
                    + HexFormat.ofDelimiter(" ").formatHex(head);
        } catch (IOException e) {
            return file.name() + ": unreadable";
        }
    }
}
