package io.plugboard.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The scope each endpoint needs, in one table: health probes and the API documents are open, the
 * Prometheus scrape is open unless protected, inference needs {@code infer}, reading needs
 * {@code read}, and everything else (uploads, versions, deletes, repository load and unload, any
 * endpoint added later without a rule here) needs {@code admin}.
 */
public final class EndpointScopes {

    private record Rule(Set<String> methods, PathPattern pattern, Scope scope) {
    }

    private static final Set<String> READING = Set.of("GET", "HEAD");
    private static final List<String> OPEN = List.of("/actuator/health", "/actuator/health/**", "/v3/api-docs",
            "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**");
    private static final List<String> INFER = List.of("/v1/models/{id}/infer", "/v1/models/{id}/versions/{v}/infer",
            "/v2/models/{name}/infer", "/v2/models/{name}/versions/{v}/infer");

    private final List<Rule> rules;

    /** @param protectMetrics whether {@code /actuator/prometheus} needs {@code read} */
    public EndpointScopes(boolean protectMetrics) {
        PathPatternParser parser = PathPatternParser.defaultInstance;
        List<Rule> table = new java.util.ArrayList<>();
        OPEN.forEach(p -> table.add(new Rule(READING, parser.parse(p), null)));
        table.add(new Rule(READING, parser.parse("/actuator/prometheus"), protectMetrics ? Scope.READ : null));
        INFER.forEach(p -> table.add(new Rule(Set.of("POST"), parser.parse(p), Scope.INFER)));
        table.add(new Rule(Set.of("POST"), parser.parse("/v2/repository/index"), Scope.READ));
        table.add(new Rule(READING, parser.parse("/v1/**"), Scope.READ));
        table.add(new Rule(READING, parser.parse("/v2"), Scope.READ));
        table.add(new Rule(READING, parser.parse("/v2/**"), Scope.READ));
        this.rules = List.copyOf(table);
    }

    /** The scope a request needs; empty when it is open to anyone. */
    public Optional<Scope> required(String method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        for (Rule rule : rules) {
            if (rule.methods().contains(method) && rule.pattern().matches(container)) {
                return Optional.ofNullable(rule.scope());
            }
        }
        return Optional.of(Scope.ADMIN);
    }
}
