package io.plugboard.config;

import io.plugboard.security.AccessLog;
import io.plugboard.security.BearerTokens;
import io.plugboard.security.CrossSiteWrites;
import io.plugboard.security.EndpointScopes;
import io.plugboard.security.RequestIds;
import io.plugboard.security.Scope;
import io.plugboard.security.ScopeAuthorization;
import io.plugboard.security.SecurityProblems;
import io.plugboard.security.TokenRegistry;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.ExceptionTranslationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import tools.jackson.databind.json.JsonMapper;

/** Access control: bearer tokens with scopes, no cross-site writes, CORS for configured origins. */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    TokenRegistry tokenRegistry(PlugboardProperties properties) {
        return new TokenRegistry(properties.security().tokens().stream()
                .filter(t -> t.sha256() != null && !t.sha256().isBlank()) // an unset environment variable
                .map(t -> TokenRegistry.entry(t.name(), t.sha256(), t.scopes())).toList());
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, PlugboardProperties properties, TokenRegistry tokens,
            JsonMapper json) throws Exception {
        SecurityProblems problems = new SecurityProblems(new io.plugboard.api.ProblemWriter(json));
        Set<Scope> anonymous = anonymousScopes(properties.security(), tokens);
        EndpointScopes endpoints = new EndpointScopes(properties.security().protectMetrics());
        http.csrf(c -> c.disable()) // cross-site writes are refused by Origin, see CrossSiteWrites
                .formLogin(f -> f.disable())
                .httpBasic(b -> b.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .anonymous(a -> a.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .cors(c -> c.configurationSource(cors(properties.cors().allowedOrigins())))
                .addFilterBefore(new RequestIds(), SecurityContextHolderFilter.class)
                .addFilterAfter(new CrossSiteWrites(Set.copyOf(properties.cors().allowedOrigins()), problems),
                        SecurityContextHolderFilter.class)
                .addFilterBefore(new BearerTokens(tokens, anonymous, endpoints, problems),
                        AnonymousAuthenticationFilter.class)
                // the container's error page renders a refusal that happened before any endpoint (a
                // rejected path, broken framing): it must not be refused itself, as a 401
                .authorizeHttpRequests(a -> a.dispatcherTypeMatchers(jakarta.servlet.DispatcherType.ERROR).permitAll()
                        .anyRequest().access(new ScopeAuthorization(endpoints)))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, failure) -> problems.unauthorized(request,
                                response, "This endpoint needs a bearer token (Authorization: Bearer <token>)."))
                        .accessDeniedHandler((request, response, denied) -> problems.forbidden(request, response,
                                io.plugboard.problem.ProblemType.FORBIDDEN,
                                "The token does not grant the scope this endpoint needs.")));
        if (properties.accessLog().enabled()) {
            http.addFilterAfter(new AccessLog(), ExceptionTranslationFilter.class);
        }
        return http.build();
    }

    /** As configured; unset: every scope when no token is configured (with a warning), none otherwise. */
    static Set<Scope> anonymousScopes(PlugboardProperties.Security security, TokenRegistry tokens) {
        if (security.anonymousScopes() != null) {
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            security.anonymousScopes().forEach(s -> scopes.addAll(Scope.parse(s).withImplied()));
            return scopes;
        }
        if (tokens.isEmpty()) {
            log.warn("No token is configured (plugboard.security.tokens): anyone who can reach this server may "
                    + "upload, replace and delete models. Configure tokens before exposing it.");
            return EnumSet.allOf(Scope.class);
        }
        return EnumSet.noneOf(Scope.class);
    }

    private static UrlBasedCorsConfigurationSource cors(List<String> origins) {
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(origins);
        config.setAllowedMethods(List.of("GET", "HEAD", "POST", "DELETE"));
        config.setAllowedHeaders(List.of("Authorization", "Content-Type", RequestIds.HEADER,
                "Inference-Header-Content-Length"));
        config.setExposedHeaders(List.of(RequestIds.HEADER, "Inference-Header-Content-Length", "Retry-After",
                "Location"));
        config.setMaxAge(600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", config);
        return source;
    }
}
