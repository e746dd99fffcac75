package io.plugboard.store;

/** One file of a stored model: its relative path, size and SHA-256 (hex). */
public record StoredFile(String path, long sizeBytes, String sha256) {
}
