package io.plugboard.ingest;

import io.plugboard.format.CandidateFile;
import io.plugboard.format.Detection;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.ModelStore;
import io.plugboard.store.StagedFile;
import io.plugboard.store.Staging;
import io.plugboard.store.StoredModelRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Turns an upload into a model ready to load: its parts stream into a staging folder, the format
 * is decided from their bytes, and the format's preparations run. Nothing is loaded here.
 */
public final class UploadIngest {

    private final ModelStore store;
    private final FormatPolicy policy;
    private final List<FormatPreparation> preparations;
    private final long maxUploadBytes;

    public UploadIngest(ModelStore store, FormatPolicy policy, List<FormatPreparation> preparations,
            long maxUploadBytes) {
        this.store = store;
        this.policy = policy;
        this.preparations = List.copyOf(preparations);
        this.maxUploadBytes = maxUploadBytes;
    }

    /**
     * Stages and prepares an upload; the caller closes what it answers.
     *
     * @param previous the model a new version is added to; empty for a new model
     * @throws PlugboardException {@code MISSING_FILE}, {@code MALFORMED_REQUEST},
     *     {@code PAYLOAD_TOO_LARGE}, {@code NOT_A_MODEL}, {@code UNSUPPORTED_FORMAT}, …
     */
    public IngestedUpload ingest(UploadRequest request, Optional<PreviousVersion> previous) {
        if (request.parts().isEmpty()) {
            throw new PlugboardException(ProblemType.MISSING_FILE, "The upload has no 'file' part.");
        }
        Staging staging = store.stage(maxUploadBytes);
        try {
            for (UploadPart part : request.parts()) {
                if (part.mover().isPresent()) {
                    staging.adopt(part.name(), target -> part.mover().get().moveTo(target));
                    continue;
                }
                try (InputStream in = part.opener().open()) {
                    staging.write(part.name(), in);
                } catch (IOException e) {
                    throw new PlugboardException(ProblemType.MALFORMED_REQUEST,
                            "The upload of '" + part.name() + "' broke off: " + e.getMessage(), e);
                }
            }
            preparations.forEach(p -> p.beforeDetection(staging, previous));
            List<CandidateFile> candidates = staging.files().stream()
                    .map(f -> new CandidateFile(f.name(), f.path(), f.sizeBytes())).toList();
            Detection detection = policy.decide(candidates, request.format());
            String digest = digest(staging.files());
            for (FormatPreparation preparation : preparations) {
                detection = preparation.afterDetection(staging, detection);
            }
            return new IngestedUpload(store, staging, detection, digest);
        } catch (RuntimeException e) {
            staging.close();
            throw e;
        }
    }

    /** The stored version {@code record} describes, as the version a new one follows. */
    public PreviousVersion previous(StoredModelRecord record) {
        return new PreviousVersion(record.id(), record.format(), store.filesDirectory(record.id(), record.version()),
                record.files());
    }

    /** A single file's SHA-256, or that of the sorted "name sha256" lines of several. */
    static String digest(List<StagedFile> files) {
        if (files.size() == 1) {
            return files.get(0).sha256();
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.stream().sorted(Comparator.comparing(StagedFile::name))
                    .forEach(f -> sha.update((f.name() + " " + f.sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
