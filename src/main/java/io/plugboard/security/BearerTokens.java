package io.plugboard.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves {@code Authorization: Bearer <token>} to its configured caller; a request without one is
 * anonymous, with {@code plugboard.security.anonymous-scopes}. A token that is not configured is a
 * 401 at once where a token is needed; on an open endpoint (probes, an open scrape) it is ignored.
 * The token is never logged or echoed.
 */
public final class BearerTokens extends OncePerRequestFilter {

    private static final String PREFIX = "Bearer ";

    private final TokenRegistry tokens;
    private final Set<Scope> anonymousScopes;
    private final EndpointScopes endpoints;
    private final SecurityProblems problems;

    public BearerTokens(TokenRegistry tokens, Set<Scope> anonymousScopes, EndpointScopes endpoints,
            SecurityProblems problems) {
        this.tokens = tokens;
        this.anonymousScopes = Set.copyOf(anonymousScopes);
        this.endpoints = endpoints;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && endpoints.required(request.getMethod(), request.getRequestURI()).isEmpty()) {
            header = null; // an open endpoint: whatever the header holds, nothing is checked
        }
        if (header == null) {
            SecurityContextHolder.getContext().setAuthentication(new AnonymousAuthenticationToken("anonymous",
                    Caller.ANONYMOUS, authorities(anonymousScopes)));
        } else {
            Optional<Caller> caller = header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                    ? tokens.find(header.substring(PREFIX.length()).strip()) : Optional.empty();
            if (caller.isEmpty()) {
                problems.unauthorized(request, response, "The Authorization header does not carry a known bearer "
                        + "token.");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    caller.get().name(), null, authorities(caller.get().scopes())));
        }
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static List<GrantedAuthority> authorities(Set<Scope> scopes) {
        List<GrantedAuthority> granted = new java.util.ArrayList<>();
        scopes.forEach(s -> granted.add(new SimpleGrantedAuthority(s.authority())));
        granted.add(new SimpleGrantedAuthority("ROLE_CALLER")); // anonymous tokens need one authority
        return granted;
    }
}
