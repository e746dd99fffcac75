package io.plugboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.config.PlugboardProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Tokens bind from the sources the README names: environment variables and a mounted config tree. */
class TokenSourcesTest {

    private static PlugboardProperties.Security bind(org.springframework.core.env.PropertySource<?> source) {
        StandardEnvironment environment = new StandardEnvironment();
        if (source.getName().equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
            environment.getPropertySources().replace(source.getName(), source);
        } else {
            environment.getPropertySources().addFirst(source);
        }
        return new Binder(ConfigurationPropertySources.get(environment))
                .bind("plugboard.security", PlugboardProperties.Security.class).get();
    }

    @Test
    void environmentVariables() {
        PlugboardProperties.Security security = bind(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                "PLUGBOARD_SECURITY_TOKENS_0_NAME", "ci", "PLUGBOARD_SECURITY_TOKENS_0_SHA256", "a".repeat(64),
                "PLUGBOARD_SECURITY_TOKENS_0_SCOPES", "infer,read", "PLUGBOARD_SECURITY_ANONYMOUSSCOPES", "read")));
        assertThat(security.tokens()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("ci");
            assertThat(t.scopes()).containsExactly("infer", "read");
        });
        assertThat(security.anonymousScopes()).containsExactly("read");
    }

    @Test
    void aSecretMountedAsAConfigTree(@TempDir Path tree) throws Exception {
        Path token = Files.createDirectories(tree.resolve("plugboard/security/tokens/0"));
        Files.writeString(token.resolve("name"), "ci");
        Files.writeString(token.resolve("sha256"), "b".repeat(64));
        Files.writeString(token.resolve("scopes"), "admin");
        PlugboardProperties.Security security = bind(new ConfigTreePropertySource("tree", tree));
        assertThat(security.tokens()).singleElement().satisfies(t -> {
            assertThat(t.sha256()).isEqualTo("b".repeat(64));
            assertThat(t.scopes()).isEqualTo(List.of("admin"));
        });
    }

    @Test
    void aYamlOrPropertiesFile() {
        PlugboardProperties.Security security = bind(new MapPropertySource("file", Map.of(
                "plugboard.security.tokens[0].name", "ci", "plugboard.security.tokens[0].sha256", "c".repeat(64),
                "plugboard.security.tokens[0].scopes[0]", "read")));
        assertThat(security.tokens()).singleElement().satisfies(t -> assertThat(t.scopes()).containsExactly("read"));
    }
}
