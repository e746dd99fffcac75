package io.plugboard.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's name, version and bearer-token scheme (Swagger UI's "Authorize" sends it). */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static final String BEARER = "bearer-token";

    /** Typed schemas for the inference request and response and for problem details. */
    @Bean
    org.springdoc.core.customizers.OpenApiCustomizer openApiSchemas() {
        return new OpenApiSchemas();
    }

    @Bean
    OpenAPI plugboardOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        return new OpenAPI()
                .info(new Info().title("Plugboard").version(properties != null ? properties.getVersion() : "unknown")
                        .description("Upload a model in any supported format, then run inference on it over the "
                                + "Open Inference Protocol (v2) or the v1 API. Requests carry "
                                + "`Authorization: Bearer <token>` when tokens are configured: scope read for "
                                + "listings and metadata, infer for inference, admin for uploads and deletes."))
                .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("A token configured in plugboard.security.tokens")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }
}
