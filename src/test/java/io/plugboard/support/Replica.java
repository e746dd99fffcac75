package io.plugboard.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.plugboard.PlugboardApplication;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** One Plugboard replica in this JVM (its own application context, port and local folder). */
public record Replica(ConfigurableApplicationContext context, Http http, Path folder) implements AutoCloseable {

    /** A replica on the shared store {@code bucket} at {@code endpoint} (path-style). */
    public static Replica onS3(URI endpoint, String bucket, String pollInterval, Path folder, String... more) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("plugboard.store.type", "s3");
        properties.put("plugboard.store.s3.bucket", bucket);
        properties.put("plugboard.store.s3.endpoint", endpoint.toString());
        properties.put("plugboard.store.s3.path-style", "true");
        properties.put("plugboard.store.poll-interval", pollInterval);
        return start(folder, properties, more);
    }

    /** A replica on the filesystem store in {@code folder}. */
    public static Replica onFilesystem(Path folder) {
        return start(folder, Map.of("plugboard.store.type", "filesystem"));
    }

    private static Replica start(Path folder, Map<String, String> store, String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.jmx.enabled=false",
                "--plugboard.serving.drain-timeout=2s", "--plugboard.store.path=" + folder));
        store.forEach((k, v) -> args.add("--" + k + "=" + v));
        args.addAll(List.of(more));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(PlugboardApplication.class)
                .run(args.toArray(String[]::new));
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        return new Replica(context, new Http(port), folder);
    }

    @Override
    public void close() {
        context.close();
    }

    /** How many times this replica loaded {@code model} into its engine. */
    public double loads(String model) {
        var timer = context.getBean(MeterRegistry.class).find("plugboard.model.load.duration").tag("model", model)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    /** The ids this replica lists. */
    public List<String> models() {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : http.get("/v1/models").json().get("models")) {
            ids.add(m.get("id").asString());
        }
        return ids;
    }
}
