package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile read as text (building it needs a Docker engine: {@link ImageBuildTest}): base
 * images come from build arguments that tools/pin-base-images.sh pins by digest, Maven runs with a
 * cache mount for its repository, the variants, and the engine caches' layout. The pin script runs
 * against a copy of the Dockerfile with a stand-in for {@code docker buildx imagetools inspect}.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Path PIN = Path.of("tools/pin-base-images.sh");
    private static final Pattern ARG_DEFAULT = Pattern.compile("(?m)^ARG ([A-Z_]+)=(\\S+)$");
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9./_-]+:[A-Za-z0-9._-]+(@sha256:[0-9a-f]{64})?");

    private static String dockerfile() throws IOException {
        return Files.readString(DOCKERFILE);
    }

    /** The instructions, continuation lines joined. */
    private static List<String> instructions(String text) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            current.append(line.strip());
            if (line.endsWith("\\")) {
                current.setLength(current.length() - 1);
                current.append(' ');
            } else {
                result.add(current.toString());
                current.setLength(0);
            }
        }
        return result;
    }

    private static Map<String, String> argDefaults(String text) {
        Map<String, String> args = new LinkedHashMap<>();
        Matcher m = ARG_DEFAULT.matcher(text);
        while (m.find()) {
            args.put(m.group(1), m.group(2));
        }
        return args;
    }

    @Test
    void baseImagesComeFromBuildArgumentsThatTakeADigest() throws IOException {
        String text = dockerfile();
        Map<String, String> args = argDefaults(text);
        assertThat(args).containsKeys("JDK_IMAGE", "JRE_IMAGE", "CUDA_IMAGE");
        assertThat(args.get("JDK_IMAGE")).startsWith("eclipse-temurin:21-jdk");
        assertThat(args.get("JRE_IMAGE")).startsWith("eclipse-temurin:21-jre");
        assertThat(args.get("CUDA_IMAGE")).startsWith("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04");
        for (String key : List.of("JDK_IMAGE", "JRE_IMAGE", "CUDA_IMAGE")) {
            assertThat(args.get(key)).as(key).matches(IMAGE);
        }
        List<String> stages = new ArrayList<>();
        for (String instruction : instructions(text)) {
            if (!instruction.startsWith("FROM ")) {
                continue;
            }
            String[] words = instruction.split("\\s+");
            String base = words[1];
            assertThat(base.startsWith("${") || stages.contains(base) || base.equals("runtime-${VARIANT}"))
                    .as("%s: a base image named anywhere but in the ARGs above", instruction).isTrue();
            if (words.length == 4 && words[2].equalsIgnoreCase("AS")) {
                stages.add(words[3]);
            }
        }
        assertThat(stages).contains("build", "jre", "runtime-cpu", "runtime-slim", "runtime-cuda");
    }

    @Test
    void mavenRunsWithACacheMountForItsRepository() throws IOException {
        List<String> maven = instructions(dockerfile()).stream().filter(i -> i.contains("./mvnw")).toList();
        assertThat(maven).hasSize(2).allSatisfy(run -> assertThat(run)
                .startsWith("RUN --mount=type=cache,id=plugboard-m2,target=/root/.m2,sharing=locked "));
    }

    @Test
    void variantsAndTheEngineCaches() throws IOException {
        String text = dockerfile();
        assertThat(text).contains("cpu|cuda|slim) ;;", "if [ \"$VARIANT\" = slim ]; then args=\"$args -Dslim\"; fi")
                .contains("FROM runtime-cpu AS runtime-slim");
        // the warm-up fills what the server then only reads; the server writes under /var/cache/plugboard
        assertThat(text).contains("--plugboard.engines.cache-dir=/opt/plugboard/engines")
                .contains("PLUGBOARD_ENGINES_PREFILLED_DIR=/opt/plugboard/engines")
                .contains("PLUGBOARD_ENGINES_CACHE_DIR=/var/cache/plugboard/engines")
                .contains("chmod -R a-w,go+rX /opt/plugboard/engines")
                .doesNotContain("chown -R 10001:10001 /opt/plugboard/engines");
        assertThat(Files.readString(Path.of("config/application-docker.yml")))
                .contains("cache-dir: /var/cache/plugboard/engines", "prefilled-dir: /opt/plugboard/engines");
    }

    @Test
    void pinScriptPinsEveryBaseImageToItsIndexDigestAndChecksThePins(@TempDir Path dir) throws Exception {
        Path copy = Files.copy(DOCKERFILE, dir.resolve("Dockerfile"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // stands in for `docker buildx imagetools inspect <ref>`: its plain output, a digest per name
        Path docker = Files.writeString(bin.resolve("docker"), String.join("\n",
                "#!/bin/sh",
                "[ \"$1 $2 $3\" = \"buildx imagetools inspect\" ] || exit 2",
                "digest=$(printf %s \"$4\" | sha256sum | cut -d' ' -f1)",
                "echo \"Name:      docker.io/library/$4\"",
                "echo \"MediaType: application/vnd.oci.image.index.v1+json\"",
                "echo \"Digest:    sha256:$digest\"",
                "echo",
                "echo \"Manifests:\"",
                "echo \"  Name:      docker.io/library/$4@sha256:0000000000000000000000000000000000000000000000000000000000000000\"",
                ""));
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(run(dir, bin, copy, "--check").exit()).as("tags alone are not pinned").isNotZero();

        Result pinned = run(dir, bin, copy);
        assertThat(pinned.exit()).as(pinned.output()).isZero();
        Map<String, String> args = argDefaults(Files.readString(copy));
        for (String key : List.of("JDK_IMAGE", "JRE_IMAGE", "CUDA_IMAGE")) {
            String value = args.get(key);
            String tag = value.substring(0, value.indexOf('@'));
            assertThat(value).as(key).matches(IMAGE).isEqualTo(tag + "@sha256:" + sha256(tag));
        }
        assertThat(run(dir, bin, copy, "--check").exit()).isZero();

        // an update resolves the tag again, keeping the tag, and is idempotent
        Result again = run(dir, bin, copy);
        assertThat(again.exit()).isZero();
        assertThat(again.output()).contains("(unchanged)");
        assertThat(argDefaults(Files.readString(copy))).isEqualTo(args);
        // the rest of the file is untouched
        assertThat(Files.readString(copy).replaceAll("@sha256:[0-9a-f]{64}", ""))
                .isEqualTo(dockerfile().replaceAll("@sha256:[0-9a-f]{64}", ""));
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, Path bin, Path dockerfile, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", PIN.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("DOCKERFILE", dockerfile.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
