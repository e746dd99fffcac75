package io.plugboard.format;

import static io.plugboard.format.Sniff.found;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Recognises a model packed as a zip or tar archive from the names of its entries. */
final class ArchiveSniffer {

    private static final int MAX_PICKLE_BYTES = 64 << 20;

    private ArchiveSniffer() {
    }

    /**
     * @param names the archive's entry names
     * @param zip true for a zip, whose {@code data.pkl} is then read to say what it holds
     */
    static Optional<Sniff> sniff(CandidateFile file, List<String> names, boolean zip) {
        Set<String> base = names.stream().map(ArchiveSniffer::baseName).collect(Collectors.toSet());
        boolean torchData = base.contains("data.pkl");
        boolean torchCode = names.stream().anyMatch(n -> n.matches("(.*/)?code/.*"));
        if (torchData && torchCode && base.contains("constants.pkl")) {
            return found(file, ModelFormat.TORCHSCRIPT, "zip with data.pkl, constants.pkl and code/");
        }
        if (torchData) {
            String dataPkl = names.stream().filter(n -> baseName(n).equals("data.pkl")).findFirst().orElseThrow();
            String content = zip ? ArchiveListing.zipEntry(file.path(), dataPkl, MAX_PICKLE_BYTES)
                    .map(PickleSniffer::describe).orElse("") : "";
            return found(file, ModelFormat.PYTORCH_PICKLE, "torch.save zip archive" + content);
        }
        if (base.contains("saved_model.pb") || base.contains("saved_model.pbtxt")) {
            return found(file, ModelFormat.TF_SAVEDMODEL, "archive holding saved_model.pb");
        }
        if (zip && names.contains("model.ini") && mojoIni(file)) {
            return found(file, ModelFormat.H2O_MOJO, "zip with model.ini ([info] algo, mojo_version: H2O MOJO)");
        }
        if (base.contains("model.weights.h5") && base.contains("config.json")) {
            return found(file, ModelFormat.KERAS_V3, "zip with config.json and model.weights.h5");
        }
        if (base.contains("configuration.json") && base.contains("coefficients.bin")) {
            return found(file, ModelFormat.DL4J, "zip with configuration.json and coefficients.bin");
        }
        if (base.contains("Manifest.json") && names.stream().anyMatch(n -> n.contains("com.apple.CoreML"))) {
            return found(file, ModelFormat.COREML, "Core ML package");
        }
        if (base.contains("inference.pdmodel") || names.stream().anyMatch(n -> n.endsWith(".pdmodel"))) {
            return found(file, ModelFormat.PADDLE, "archive holding a .pdmodel");
        }
        return Optional.empty();
    }

    /**
     * Whether the zip's root {@code model.ini} is a MOJO's: an {@code [info]} section holding
     * {@code algo} and {@code mojo_version} (a GLM MOJO may hold nothing else).
     */
    private static boolean mojoIni(CandidateFile file) {
        return ArchiveListing.zipEntry(file.path(), "model.ini", 64 << 10).map(in -> {
            try (in) {
                String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                boolean inInfo = false;
                boolean algo = false;
                boolean version = false;
                for (String raw : text.split("\\R")) {
                    String line = raw.strip();
                    if (line.startsWith("[")) {
                        inInfo = line.equals("[info]");
                    } else if (inInfo) {
                        String key = line.contains("=") ? line.substring(0, line.indexOf('=')).strip() : "";
                        algo |= key.equals("algo");
                        version |= key.equals("mojo_version");
                    }
                }
                return algo && version;
            } catch (java.io.IOException e) {
                return false;
            }
        }).orElse(false);
    }

    private static String baseName(String entry) {
        String trimmed = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
