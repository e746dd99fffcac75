package io.plugboard.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured tokens, kept only as SHA-256 digests. A presented token is hashed and compared
 * with every digest in constant time, so neither the answer nor its timing tells how close a guess
 * was, nor which token matched.
 */
public final class TokenRegistry {

    /** One configured token: its name (shown in logs), its digest and the scopes it grants. */
    public record Entry(String name, byte[] sha256, Set<Scope> scopes) {
    }

    private final List<Entry> entries;

    public TokenRegistry(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Reads configured digests: 64 lowercase hex characters each; scopes widen to what they imply. */
    public static Entry entry(String name, String sha256Hex, List<String> scopes) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("every plugboard.security.tokens entry needs a name");
        }
        if (sha256Hex == null || !sha256Hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("token '" + name + "': sha256 must be 64 lowercase hex characters "
                    + "(printf %s \"$TOKEN\" | sha256sum)");
        }
        Set<Scope> granted = EnumSet.noneOf(Scope.class);
        for (String scope : scopes) {
            granted.addAll(Scope.parse(scope).withImplied());
        }
        return new Entry(name, HexFormat.of().parseHex(sha256Hex), granted);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The caller a presented token stands for, if it is a configured one. */
    public Optional<Caller> find(String token) {
        byte[] digest = sha256(token);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.sha256(), digest) && found == null) {
                found = entry;
            }
        }
        return found == null ? Optional.empty() : Optional.of(new Caller(found.name(), found.scopes()));
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
