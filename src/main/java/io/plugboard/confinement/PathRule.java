package io.plugboard.confinement;

import java.nio.file.Path;

/** One path (a folder and everything beneath it, or a single file) and what may be done there. */
public record PathRule(Path path, Access access) {
}
