package io.plugboard.security;

import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/** Grants a request when its caller holds the scope {@link EndpointScopes} names for it. */
public final class ScopeAuthorization implements AuthorizationManager<RequestAuthorizationContext> {

    private final EndpointScopes scopes;

    public ScopeAuthorization(EndpointScopes scopes) {
        this.scopes = scopes;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
            RequestAuthorizationContext context) {
        Optional<Scope> needed = scopes.required(context.getRequest().getMethod(), context.getRequest().getRequestURI());
        if (needed.isEmpty()) {
            return new AuthorizationDecision(true);
        }
        Authentication caller = authentication.get();
        String authority = needed.get().authority();
        return new AuthorizationDecision(caller != null
                && caller.getAuthorities().stream().anyMatch(a -> authority.equals(a.getAuthority())));
    }
}
