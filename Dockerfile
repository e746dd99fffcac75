# syntax=docker/dockerfile:1
#
# Plugboard container image, in three variants:
#
#   docker build -t plugboard:0.1.0-cpu .                            # CPU-only ONNX Runtime + every engine (default)
#   docker build -t plugboard:0.1.0-cuda --build-arg VARIANT=cuda .  # CUDA 12 + cuDNN 9, onnxruntime_gpu
#   docker build -t plugboard:0.1.0-slim --build-arg VARIANT=slim .  # ONNX Runtime (CPU) and H2O MOJO only
#
# VARIANT=cpu  builds with the Maven profile `cpu-only` (52 MB onnxruntime jar) on eclipse-temurin:21-jre.
# VARIANT=cuda builds with the default profile (onnxruntime_gpu) on the NVIDIA CUDA 12.8 + cuDNN 9
#              runtime image, with the Temurin 21 JRE copied in. TensorRT is not part of that image:
#              uploads with target=tensorrt answer 400 target-unavailable there.
# VARIANT=slim builds with `cpu-only` and -Dslim on eclipse-temurin:21-jre: no PyTorch, TensorFlow,
#              TFLite, OpenCV or MXNet natives (uploads of those formats answer 415), no engine cache.
# MAVEN_PROFILE overrides the Maven profile list (comma-separated) derived from VARIANT.
#
# Base images are build arguments (JDK_IMAGE, JRE_IMAGE, CUDA_IMAGE). For reproducible builds pin
# them by digest: tools/pin-base-images.sh rewrites the defaults below to <tag>@sha256:<digest>,
# the digest each tag points at when it runs (`docker buildx imagetools inspect <image:tag>`);
# run it again to take the bases' security updates, and commit the result. A digest given on the
# command line wins: --build-arg JRE_IMAGE=eclipse-temurin:21-jre@sha256:...
#
# Needs BuildKit (the default builder of current Docker): only the runtime stage that VARIANT names
# is built, and the Maven repository is a build cache mount (kept between builds, not in any layer).
#
# Inside the image:
#   /opt/plugboard/app      the application, as Spring Boot's extracted layers (read-only, root-owned)
#   /opt/plugboard/config   Spring profiles application-docker.yml / application-k8s.yml
#                           (SPRING_CONFIG_ADDITIONAL_LOCATION points here; Kubernetes mounts its
#                           ConfigMap over it)
#   /var/lib/plugboard      the model store (VOLUME; PLUGBOARD_STORE_PATH)
#   /opt/plugboard/native   ONNX Runtime's native libraries, unpacked at build time
#                           (onnxruntime.native.path), so nothing is unpacked at start
#   /opt/plugboard/engines  plugboard.engines.prefilled-dir: the natives of the DJL engines (PyTorch,
#                           TensorFlow, MXNet) and of everything loaded through JavaCPP (TensorFlow
#                           Lite, OpenCV), unpacked at build time by a warm-up run of the server.
#                           Root-owned and only read at run time, so it works on a read-only root
#                           filesystem: what an engine needs is checked against the build and linked
#                           into the writable cache below, and nothing is unpacked again
#   /var/cache/plugboard    tmp/ is java.io.tmpdir (Tomcat's work folder); engines/ is
#                           plugboard.engines.cache-dir, the writable engine cache: links into
#                           /opt/plugboard/engines, JavaCPP's lock file, and whatever the pre-filled
#                           cache lacks. Mount a volume here when the root filesystem is read-only.
# The process runs as uid/gid 10001.

ARG VARIANT=cpu
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG JRE_IMAGE=eclipse-temurin:21-jre
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

########################################################################################################
# Build: compile and package with the Maven wrapper, then split the fat jar into layers.
########################################################################################################
FROM ${JDK_IMAGE} AS build
ARG VARIANT
ARG MAVEN_PROFILE
WORKDIR /build

# Dependencies first, so that a source change does not resolve them again. The Maven repository
# (and the wrapper's Maven) live in a cache mount shared by every build on this builder.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN --mount=type=cache,id=plugboard-m2,target=/root/.m2,sharing=locked \
    set -eu; \
    case "$VARIANT" in \
      cpu|cuda|slim) ;; \
      *) echo "VARIANT must be cpu, cuda or slim, not '$VARIANT'" >&2; exit 1 ;; \
    esac; \
    profile="${MAVEN_PROFILE-}"; \
    if [ -z "$profile" ] && [ "$VARIANT" != cuda ]; then profile=cpu-only; fi; \
    args="${profile:+-P$profile}"; \
    if [ "$VARIANT" = slim ]; then args="$args -Dslim"; fi; \
    printf '%s' "$args" > .maven-args; \
    chmod +x mvnw; \
    ./mvnw -B -ntp $args dependency:go-offline

COPY src/ src/
RUN --mount=type=cache,id=plugboard-m2,target=/root/.m2,sharing=locked \
    set -eu; \
    ./mvnw -B -ntp $(cat .maven-args) -DskipTests package; \
    cp target/plugboard-*.jar app.jar; \
    java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted; \
    mkdir -p extracted/dependencies extracted/spring-boot-loader \
             extracted/snapshot-dependencies extracted/application; \
    mkdir -p native/onnxruntime; \
    ort="$(ls extracted/dependencies/BOOT-INF/lib/onnxruntime*.jar)"; \
    (cd native && jar xf "../$ort" ai/onnxruntime/native/linux-x64); \
    mv native/ai/onnxruntime/native/linux-x64/* native/onnxruntime/; rm -rf native/ai

########################################################################################################
# Runtime bases. curl is installed for the HEALTHCHECK.
########################################################################################################
FROM ${JRE_IMAGE} AS jre

FROM jre AS runtime-cpu
RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates; \
    rm -rf /var/lib/apt/lists/*

# The slim variant: the same base, without the engines' natives.
FROM runtime-cpu AS runtime-slim

# CUDA 12 + cuDNN 9, as onnxruntime_gpu 1.29 needs; the JRE comes from the Temurin image.
FROM ${CUDA_IMAGE} AS runtime-cuda
ENV JAVA_HOME=/opt/java/openjdk \
    LANG=C.UTF-8 \
    LC_ALL=C.UTF-8
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates tzdata; \
    rm -rf /var/lib/apt/lists/*; \
    java -version

########################################################################################################
# Runtime
########################################################################################################
FROM runtime-${VARIANT}
ARG VARIANT

LABEL org.opencontainers.image.title="Plugboard" \
      org.opencontainers.image.description="Model-inference server (Open Inference Protocol over HTTP)" \
      org.opencontainers.image.version="0.1.0" \
      io.plugboard.variant="${VARIANT}"

RUN set -eu; \
    groupadd --gid 10001 plugboard; \
    useradd --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/plugboard \
            --shell /usr/sbin/nologin plugboard; \
    mkdir -p /opt/plugboard/app /opt/plugboard/config \
             /var/lib/plugboard /var/cache/plugboard/tmp /var/cache/plugboard/engines; \
    chown -R 10001:10001 /var/lib/plugboard /var/cache/plugboard

WORKDIR /opt/plugboard/app
# One layer per Spring Boot layer, least often changed first.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
COPY config/application-*.yml /opt/plugboard/config/
# ONNX Runtime's natives, unpacked at build time (loaded from here via onnxruntime.native.path
# instead of being unpacked into java.io.tmpdir at every start).
COPY --from=build /build/native/onnxruntime/ /opt/plugboard/native/onnxruntime/

# The engines (PyTorch, TensorFlow, MXNet, TensorFlow Lite, OpenCV) unpack their natives into the
# pre-filled engine cache once, here, so no pod or container unpacks hundreds of MB again. The
# server starts, warms every engine in the build (none in the slim variant), exits. The cache stays
# root-owned: the server only reads it, and links what it needs into its writable cache.
RUN set -eu; \
    mkdir -p /opt/plugboard/engines /tmp/warm-store; \
    java -Djava.io.tmpdir=/tmp -Donnxruntime.native.path=/opt/plugboard/native/onnxruntime \
         -cp /opt/plugboard/app org.springframework.boot.loader.launch.JarLauncher \
         --plugboard.engines.warm-and-exit=true --plugboard.engines.cache-dir=/opt/plugboard/engines \
         --plugboard.store.path=/tmp/warm-store --server.port=0; \
    rm -rf /tmp/warm-store /tmp/onnxruntime-java* /opt/plugboard/engines/verified-natives.properties \
           /opt/plugboard/engines/javacpp/.lock; \
    chmod -R a-w,go+rX /opt/plugboard/engines

# JAVA_TOOL_OPTIONS carries java.io.tmpdir so that it holds even when JAVA_OPTS is replaced.
# JAVA_OPTS: the heap gets half the container's memory; ONNX Runtime's buffers and arenas are
# native memory outside the heap and need the rest. G1PeriodicGCInterval: a server idle for 15 s
# after large requests returns the heap they grew (measured: 1,283 MB resident after three 96 MB
# requests, 486 MB a minute later with it, unchanged without). MALLOC_ARENA_MAX: engine calls run on many
# request threads, and glibc would otherwise keep a malloc arena per thread (measured: resident
# memory for 4 instances of a CNN 60-94 MB above idle without it, 60-63 MB with it).
ENV SPRING_PROFILES_ACTIVE=docker \
    MALLOC_ARENA_MAX=2 \
    SPRING_CONFIG_ADDITIONAL_LOCATION=optional:file:/opt/plugboard/config/ \
    PLUGBOARD_STORE_PATH=/var/lib/plugboard \
    PLUGBOARD_ENGINES_CACHE_DIR=/var/cache/plugboard/engines \
    PLUGBOARD_ENGINES_PREFILLED_DIR=/opt/plugboard/engines \
    JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=/var/cache/plugboard/tmp -Donnxruntime.native.path=/opt/plugboard/native/onnxruntime" \
    JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:G1PeriodicGCInterval=15000 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
VOLUME ["/var/lib/plugboard"]
EXPOSE 8080 8081

# Ready only once every stored model has been restored: allow a long start period.
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health/readiness" || exit 1

# The shell only expands JAVA_OPTS and re-creates tmp/ when an empty volume or bind mount hides the
# image's folder; exec hands PID 1 to the JVM so SIGTERM starts Spring's graceful shutdown.
# Arguments given to `docker run` are passed to the application (e.g. --plugboard.serving.instances=2).
ENTRYPOINT ["/bin/sh", "-c", "mkdir -p /var/cache/plugboard/tmp 2>/dev/null; exec java $JAVA_OPTS -cp /opt/plugboard/app org.springframework.boot.loader.launch.JarLauncher \"$@\"", "plugboard"]
