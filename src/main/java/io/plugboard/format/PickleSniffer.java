package io.plugboard.format;

import static io.plugboard.format.Sniff.found;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Tells a PyTorch pickle from a plain Python pickle, and a state_dict from a whole pickled model. */
final class PickleSniffer {

    private static final byte[] TORCH_LEGACY_MAGIC = HexFormat.of().parseHex("8a0a6cfc9c46f9206aa85019");

    private PickleSniffer() {
    }

    /** True when the head opens with a pickle PROTO opcode of protocol 2 to 5. */
    static boolean isPickle(byte[] head) {
        return head.length > 1 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
    }

    /** Sniffs a file whose head {@linkplain #isPickle is a pickle}. */
    static Optional<Sniff> sniff(CandidateFile file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.path()))) {
            byte[] start = in.readNBytes(2 + TORCH_LEGACY_MAGIC.length);
            boolean legacyTorch = start.length == 2 + TORCH_LEGACY_MAGIC.length
                    && Arrays.equals(start, 2, start.length, TORCH_LEGACY_MAGIC, 0, TORCH_LEGACY_MAGIC.length);
            String content = describe(Files.newInputStream(file.path()));
            if (legacyTorch) {
                return found(file, ModelFormat.PYTORCH_PICKLE, "legacy torch.save pickle" + content);
            }
            boolean torchy = content.contains("torch");
            return found(file, torchy ? ModelFormat.PYTORCH_PICKLE : ModelFormat.PICKLE,
                    "Python pickle" + content);
        } catch (IOException e) {
            return found(file, ModelFormat.PICKLE, "Python pickle protocol header");
        }
    }

    /** ": a state_dict (weights only)" or ": a whole pickled model (classes …)"; closes {@code in}. */
    static String describe(InputStream in) {
        try (in) {
            PickleScanner.Summary summary = PickleScanner.scan(in, 5);
            if (summary.globals().isEmpty()) {
                return "";
            }
            if (summary.isStateDict()) {
                return ": a state_dict (weights only, no model code)";
            }
            List<String> classes = summary.globals().stream()
                    .filter(g -> !PickleScanner.isWeightsOnlyGlobal(g)).limit(5).toList();
            return ": a whole pickled model referencing " + String.join(", ", classes);
        } catch (IOException e) {
            return "";
        }
    }
}
