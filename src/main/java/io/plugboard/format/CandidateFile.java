package io.plugboard.format;

import java.nio.file.Path;

/** One uploaded file as the detector sees it: its relative name in the upload and where it lies. */
public record CandidateFile(String name, Path path, long size) {
}
