package io.plugboard.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a caller may do. {@code read}: list and describe models, formats, hardware, server and
 * model metadata and readiness. {@code infer}: {@code read} and inference. {@code admin}:
 * everything, including uploads, versions, deletes and repository load/unload.
 */
public enum Scope {
    READ, INFER, ADMIN;

    /** The Spring authority granted for this scope. */
    public String authority() {
        return "SCOPE_" + id();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This scope and every scope it includes. */
    public Set<Scope> withImplied() {
        return switch (this) {
            case READ -> EnumSet.of(READ);
            case INFER -> EnumSet.of(READ, INFER);
            case ADMIN -> EnumSet.allOf(Scope.class);
        };
    }

    /** @throws IllegalArgumentException naming the accepted scopes */
    public static Scope parse(String text) {
        for (Scope scope : values()) {
            if (scope.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return scope;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + text + "'; scopes are read, infer and admin");
    }
}
