package io.plugboard.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.security.Scope;
import io.plugboard.security.TokenRegistry;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a request without a token may do, both ways round the default. */
class AnonymousScopesTest {

    private static final TokenRegistry NONE = new TokenRegistry(List.of());
    private static final TokenRegistry ONE = new TokenRegistry(List.of(TokenRegistry.entry("ci", "0".repeat(64),
            List.of("admin"))));

    private static PlugboardProperties.Security security(List<String> anonymous) {
        return new PlugboardProperties.Security(List.of(), anonymous, false);
    }

    @Test
    void withoutTokensEverythingIsOpenAsBefore() {
        assertThat(SecurityConfiguration.anonymousScopes(security(null), NONE)).isEqualTo(EnumSet.allOf(Scope.class));
    }

    @Test
    void withTokensNothingIsOpenUnlessSaid() {
        assertThat(SecurityConfiguration.anonymousScopes(security(null), ONE)).isEmpty();
        assertThat(SecurityConfiguration.anonymousScopes(security(List.of("read")), ONE)).containsExactly(Scope.READ);
        assertThat(SecurityConfiguration.anonymousScopes(security(List.of("infer")), ONE))
                .containsExactlyInAnyOrder(Scope.READ, Scope.INFER);
        assertThat(SecurityConfiguration.anonymousScopes(security(List.of()), NONE)).isEmpty();
    }
}
