package io.plugboard.ingest;

import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.FormatSupport;
import io.plugboard.format.CandidateFile;
import io.plugboard.format.Detection;
import io.plugboard.format.FormatDetector;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what an upload is: the detector's reading of its bytes, or the format the client insists
 * on; formats whose reading would run their code are refused whatever the client says.
 */
public final class FormatPolicy {

    /** Formats refused whatever the client claims, because reading them would run their code. */
    private static final Set<ModelFormat> NEVER_LOADED = Set.of(ModelFormat.PYTORCH_PICKLE, ModelFormat.PICKLE,
            ModelFormat.NATIVE_LIBRARY, ModelFormat.TVM, ModelFormat.H2O_POJO);

    private static final Logger log = LoggerFactory.getLogger(FormatPolicy.class);

    private final FormatDetector detector;
    private final BackendRegistry backends;

    public FormatPolicy(FormatDetector detector, BackendRegistry backends) {
        this.detector = detector;
        this.backends = backends;
    }

    /**
     * The format and main file of an upload.
     *
     * @param override the format the client named, or {@code null}
     * @throws PlugboardException {@code NOT_A_MODEL}, {@code MALFORMED_REQUEST} (mixed models) or
     *     {@code UNSUPPORTED_FORMAT} (never loaded, or not served by this build)
     */
    public Detection decide(List<CandidateFile> candidates, ModelFormat override) {
        Detection detected = null;
        try {
            detected = detector.detect(candidates);
        } catch (PlugboardException e) {
            if (e.type() != ProblemType.NOT_A_MODEL || override == null) {
                throw e;
            }
        }
        if (detected != null && NEVER_LOADED.contains(detected.format())) {
            throw refusal(detected);
        }
        Detection decided = detected;
        if (override != null) {
            String main = detected != null ? detected.mainFile()
                    : candidates.stream().max(Comparator.comparingLong(CandidateFile::size)).orElseThrow().name();
            log.debug("Format override {} (detector: {})", override, detected == null ? "nothing" : detected);
            decided = new Detection(override, main, "format given by the client");
        }
        if (backends.status(decided.format()) instanceof FormatSupport.NotServed) {
            throw refusal(decided);
        }
        return decided;
    }

    private PlugboardException refusal(Detection detection) {
        if (backends.status(detection.format()) instanceof FormatSupport.NotServed refused) {
            Map<String, Object> props = new HashMap<>(Map.of("format", refused.format().id(),
                    "reason", refused.reason(), "hint", refused.hint(), "evidence", detection.evidence()));
            return new PlugboardException(ProblemType.UNSUPPORTED_FORMAT,
                    refused.explanation() + " (Found: " + detection.evidence() + ".)", props);
        }
        return new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, detection.format().displayName()
                + " is never loaded: " + detection.format().intrinsicReason().orElse(""));
    }
}
