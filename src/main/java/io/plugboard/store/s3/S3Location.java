package io.plugboard.store.s3;

import java.net.URI;

/**
 * Where the shared store lives: {@code plugboard.store.s3.*}. {@code prefix} is normalised to end
 * with one {@code /} (or to be empty); {@code endpoint} is unset for AWS S3 itself.
 */
public record S3Location(String bucket, String prefix, URI endpoint, String region, boolean pathStyle) {

    public S3Location {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException(
                    "plugboard.store.s3.bucket must be set when plugboard.store.type is s3");
        }
        String p = prefix == null ? "" : prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        prefix = p.isEmpty() ? "" : p + "/";
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    /** {@code s3://bucket/prefix}, with the endpoint when it is not AWS's. */
    public String describe() {
        return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }
}
