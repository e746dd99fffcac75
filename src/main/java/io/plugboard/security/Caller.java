package io.plugboard.security;

import java.util.Set;

/** Who a request comes from: a configured token's name (or "anonymous") and what it may do. */
public record Caller(String name, Set<Scope> scopes) {

    public static final String ANONYMOUS = "anonymous";

    public Caller {
        scopes = Set.copyOf(scopes);
    }
}
