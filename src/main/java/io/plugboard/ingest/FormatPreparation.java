package io.plugboard.ingest;

import io.plugboard.format.Detection;
import io.plugboard.store.Staging;
import java.util.Optional;

/**
 * What one format needs done to an upload's files before it can load: add files the upload
 * leaves out, or turn the upload into the files the engine reads. A new format's preparation is
 * one class.
 */
public interface FormatPreparation {

    /** Before detection: may add files to the staged upload (e.g. from the version it follows). */
    default void beforeDetection(Staging staging, Optional<PreviousVersion> previous) {
    }

    /** After detection: may rework the staged files; answers the detection that describes them. */
    default Detection afterDetection(Staging staging, Detection detection) {
        return detection;
    }
}
