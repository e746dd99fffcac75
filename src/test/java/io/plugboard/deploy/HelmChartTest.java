package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Helm chart under helm/plugboard: lint, then render with the default values and with both
 * example values files, and read the manifests back as typed Kubernetes objects.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/plugboard");
    static final String DEFAULTS = "values.yaml";
    static final String CPU = "examples/values-cpu.yaml";
    static final String GPU = "examples/values-gpu.yaml";

    /** The oldest Kubernetes the chart declares (Chart.yaml kubeVersion): renders are made for it. */
    static final String KUBE_VERSION = "1.30.0";
    private static final String RELEASE = "plugboard";
    private static final String NAMESPACE = "plugboard";
    private static final KubernetesSerialization K8S = new KubernetesSerialization();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    /** Rendered manifests by values file: every render takes a moment, so each is done once. */
    private static final Map<String, List<HasMetadata>> RENDERED = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------------------------------
    // lint
    // ------------------------------------------------------------------------------------------

    @Test
    void lintsStrictlyWithTheDefaultValues() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    }

    /**
     * helm-java's lint takes no values file, so the example is merged over values.yaml the way
     * Helm coalesces values, into a copy of the chart, which is then linted.
     */
    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void lintsStrictlyWithTheExampleValues(String example, @TempDir Path temp) throws IOException {
        Path copy = temp.resolve("plugboard");
        copyTree(CHART, copy);
        Map<String, Object> values = readYaml(CHART.resolve(DEFAULTS));
        merge(values, readYaml(CHART.resolve(example)));
        YAML.writeValue(copy.resolve("values.yaml"), values);

        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    }

    // ------------------------------------------------------------------------------------------
    // every render
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU, GPU})
    void everyManifestReadsBackWithoutUnknownFields(String values) {
        List<HasMetadata> manifests = render(values);
        assertThat(manifests).extracting(HasMetadata::getKind)
                .contains("Deployment", "Service", "ConfigMap", "ServiceAccount");
        for (HasMetadata m : manifests) {
            assertThat(m.getMetadata().getName()).as(m.getKind()).isNotBlank();
            if (m instanceof GenericKubernetesResource) {
                continue; // custom resources (ServiceMonitor) keep everything in additionalProperties
            }
            List<String> unknown = new ArrayList<>();
            unknownFields(m, m.getKind(), unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
            assertThat(unknown).as("fields the Kubernetes API does not know, in " + values).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU, GPU})
    void containerServesHttpOn8080WithActuatorProbes(String values) {
        Container c = container(deployment(values));
        assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("http:8080/TCP", "grpc:8081/TCP");
        assertThat(one(render(values), Service.class).getSpec().getPorts())
                .extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
                .containsExactly("http:8080->http", "grpc:8081->grpc");

        assertHttpGet(c, c.getLivenessProbe(), "/actuator/health/liveness");
        assertHttpGet(c, c.getReadinessProbe(), "/actuator/health/readiness");
        assertHttpGet(c, c.getStartupProbe(), "/actuator/health/readiness");
        Probe startup = c.getStartupProbe();
        assertThat(startup.getFailureThreshold() * startup.getPeriodSeconds())
                .as("seconds a pod gets to restore its models before the kubelet restarts it")
                .isGreaterThanOrEqualTo(120);
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU, GPU})
    void podRunsAsNonRootWithAReadOnlyRootFilesystem(String values) {
        Deployment d = deployment(values);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();

        Container c = container(d);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);

        // A read-only root needs writable volumes wherever the process writes.
        Map<String, Volume> volumes = new LinkedHashMap<>();
        pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
        for (VolumeMount m : c.getVolumeMounts()) {
            assertThat(volumes).as("volume of mount %s", m.getMountPath()).containsKey(m.getName());
        }
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .contains("/var/lib/plugboard", "/var/cache/plugboard", "/tmp");
        assertThat(volumes.get(mount(c, "/var/cache/plugboard").getName()).getEmptyDir()).isNotNull();
        assertThat(volumes.get(mount(c, "/tmp").getName()).getEmptyDir()).isNotNull();
        assertThat(mount(c, "/var/lib/plugboard").getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(mount(c, "/var/cache/plugboard").getReadOnly()).isNotEqualTo(Boolean.TRUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU})
    void modelStoreIsTheRenderedPersistentVolumeClaim(String values) {
        Deployment d = deployment(values);
        Volume store = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount(container(d), "/var/lib/plugboard").getName()))
                .findFirst().orElseThrow();
        assertThat(store.getPersistentVolumeClaim()).as("persistence is on in %s", values).isNotNull();
        PersistentVolumeClaim claim = one(render(values), PersistentVolumeClaim.class);
        assertThat(store.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
        assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU, GPU})
    void serviceAndSelectorsMatchThePods(String values) {
        List<HasMetadata> manifests = render(values);
        Deployment d = one(manifests, Deployment.class);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());

        Service s = one(manifests, Service.class);
        assertThat(podLabels).containsAllEntriesOf(s.getSpec().getSelector());
        ServicePort port = s.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName()))
                .findFirst().orElseThrow();
        assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
        assertThat(container(d).getPorts()).extracting(ContainerPort::getName).contains("http");
    }

    // ------------------------------------------------------------------------------------------
    // per values file
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU})
    void podsCarryThePrometheusScrapeAnnotations(String values) {
        Map<String, String> annotations = deployment(values).getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/actuator/prometheus")
                .containsEntry("prometheus.io/port", "8080");
    }

    @Test
    void defaultsRenderOneCpuPodWithoutAutoscalerOrServiceMonitor() {
        List<HasMetadata> manifests = render(DEFAULTS);
        assertThat(manifests).noneMatch(HorizontalPodAutoscaler.class::isInstance);
        assertThat(manifests).noneMatch(PodDisruptionBudget.class::isInstance);
        assertThat(manifests).noneMatch(m -> "ServiceMonitor".equals(m.getKind()));
        Deployment d = one(manifests, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        // One pod on a ReadWriteOnce volume: the old pod must release it before the new one starts.
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        Container c = container(d);
        assertThat(c.getImage()).isEqualTo("plugboard:0.1.0-cpu");
        assertThat(c.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    }

    @Test
    void defaultsGenerateAnAdminTokenWhoseDigestTheServerReads() throws Exception {
        List<HasMetadata> manifests = render(DEFAULTS);
        io.fabric8.kubernetes.api.model.Secret secret = one(manifests, io.fabric8.kubernetes.api.model.Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo(RELEASE + "-auth");
        String token = new String(java.util.Base64.getDecoder().decode(secret.getData().get("token")));
        String digest = new String(java.util.Base64.getDecoder().decode(secret.getData().get("token-sha256")));
        assertThat(token).hasSize(48);
        assertThat(digest).isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        Map<String, io.fabric8.kubernetes.api.model.EnvVar> env = new LinkedHashMap<>();
        container(one(manifests, Deployment.class)).getEnv().forEach(e -> env.put(e.getName(), e));
        assertThat(env.get("PLUGBOARD_SECURITY_TOKENS_0_SCOPES").getValue()).isEqualTo("admin");
        var ref = env.get("PLUGBOARD_SECURITY_TOKENS_0_SHA256").getValueFrom().getSecretKeyRef();
        assertThat(ref.getName()).isEqualTo(secret.getMetadata().getName());
        assertThat(ref.getKey()).isEqualTo("token-sha256");
    }

    @Test
    void cpuExampleUsesTheCpuImage() {
        Deployment d = deployment(CPU);
        Container c = container(d);
        assertThat(c.getImage()).isEqualTo("registry.example.com/plugboard:0.1.0-cpu");
        assertThat(c.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(d.getSpec().getTemplate().getSpec().getTolerations()).isNullOrEmpty();
        assertThat(render(CPU)).noneMatch(HorizontalPodAutoscaler.class::isInstance);
    }

    @Test
    void gpuExampleRequestsAGpuAndToleratesGpuNodes() {
        Deployment d = deployment(GPU);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = container(d);
        assertThat(c.getImage()).endsWith("-cuda");
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        // Spread constraints select this release's pods (the example assumes the release name plugboard).
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(pod.getTopologySpreadConstraints()).allSatisfy(t ->
                assertThat(podLabels).containsAllEntriesOf(t.getLabelSelector().getMatchLabels()));
    }

    @Test
    void gpuExampleRendersAutoscalerDisruptionBudgetAndServiceMonitor() {
        List<HasMetadata> manifests = render(GPU);
        Deployment d = one(manifests, Deployment.class);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(d.getSpec().getReplicas()).as("the autoscaler owns the replica count").isNull();
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();

        HorizontalPodAutoscaler hpa = one(manifests, HorizontalPodAutoscaler.class);
        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(d.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getSpec().getMetrics()).as("GPU pods scale on queue time, not on CPU")
                .extracting(MetricSpec::getType).containsExactly("Pods");
        assertThat(hpa.getSpec().getMetrics().get(0).getPods().getMetric().getName())
                .isEqualTo("plugboard_queue_time_seconds");
        assertThat(hpa.getSpec().getMetrics().get(0).getPods().getTarget().getAverageValue())
                .isEqualTo(new Quantity("50m"));

        PodDisruptionBudget pdb = one(manifests, PodDisruptionBudget.class);
        assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());

        GenericKubernetesResource monitor = manifests.stream().filter(m -> "ServiceMonitor".equals(m.getKind()))
                .map(GenericKubernetesResource.class::cast).collect(single());
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("path", "/actuator/prometheus").containsEntry("port", "http");
        });
        List<String> namespaces = monitor.get("spec", "namespaceSelector", "matchNames");
        assertThat(namespaces).containsExactly(NAMESPACE);
        // A ServiceMonitor selects Services, by their labels, and scrapes the named Service port.
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        Service service = one(manifests, Service.class);
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName).contains("http");

        // Scraped through the ServiceMonitor, so not a second time through pod annotations.
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey("prometheus.io/scrape");
    }

    @Test
    void gpuExampleSharesAnS3StoreWithoutAClaim() {
        List<HasMetadata> manifests = render(GPU);
        assertThat(manifests).noneMatch(PersistentVolumeClaim.class::isInstance);
        Deployment d = one(manifests, Deployment.class);
        Volume store = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount(container(d), "/var/lib/plugboard").getName()))
                .findFirst().orElseThrow();
        assertThat(store.getEmptyDir()).as("a cache of the bucket's files").isNotNull();
        assertThat(store.getEmptyDir().getSizeLimit().toString()).isEqualTo("100Gi");
        String config = one(manifests, io.fabric8.kubernetes.api.model.ConfigMap.class).getData()
                .get("application-k8s.yml");
        assertThat(config).contains("type: \"s3\"", "bucket: \"example-plugboard-models\"", "prefix: \"prod/\"",
                "region: \"eu-west-1\"", "poll-interval: \"5s\"");
        assertThat(one(manifests, io.fabric8.kubernetes.api.model.ServiceAccount.class).getMetadata().getAnnotations())
                .containsKey("eks.amazonaws.com/role-arn");
        assertThat(container(d).getEnv()).noneMatch(e -> e.getName().startsWith("AWS_"));
    }

    @Test
    void s3CredentialsComeFromAnExistingSecret() {
        Deployment d = one(parse(template(DEFAULTS).set("store.type", "s3").set("store.s3.bucket", "models")
                .set("store.s3.endpoint", "http://minio:9000").set("store.s3.pathStyle", true)
                .set("store.s3.existingSecret", "minio-credentials").call()), Deployment.class);
        assertThat(container(d).getEnv()).filteredOn(e -> e.getName().startsWith("AWS_"))
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey())
                .containsExactly("AWS_ACCESS_KEY_ID=minio-credentials/AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY=minio-credentials/AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void severalReplicasOnAReadWriteOnceFilesystemStoreFailToRenderSayingWhatToSet(@TempDir Path temp)
            throws IOException {
        assertThatThrownBy(() -> template(DEFAULTS).set("replicaCount", 2).call())
                .hasMessageContaining("ReadWriteOnce").hasMessageContaining("store.type=s3");
        Path hpa = Files.writeString(temp.resolve("hpa.yaml"), "autoscaling:\n  enabled: true\n  maxReplicas: 3\n");
        assertThatThrownBy(() -> template(DEFAULTS).withValuesFile(hpa).call()).hasMessageContaining("store.type=s3");
        assertThatThrownBy(() -> template(DEFAULTS).set("replicaCount", 2).set("persistence.enabled", false).call())
                .hasMessageContaining("its own models");
        assertThatThrownBy(() -> template(DEFAULTS).set("store.type", "s3").call())
                .hasMessageContaining("store.s3.bucket");
    }

    @Test
    void anIngressWithNginxCarriesTheBodySizeTimeoutsAndTls(@TempDir Path temp) throws IOException {
        assertThat(render(DEFAULTS)).noneMatch(m -> "Ingress".equals(m.getKind()));
        Path values = Files.writeString(temp.resolve("ingress.yaml"), String.join("\n",
                "ingress:", "  enabled: true", "  className: nginx", "  hosts:", "    - host: models.example.com",
                "  tls:", "    - secretName: models-tls", "      hosts: [models.example.com]", ""));
        io.fabric8.kubernetes.api.model.networking.v1.Ingress ingress = one(parse(template(DEFAULTS)
                .withValuesFile(values).call()), io.fabric8.kubernetes.api.model.networking.v1.Ingress.class);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "2g")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off");
        assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("models-tls");
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertThat(backend.getName()).isEqualTo(one(render(DEFAULTS), Service.class).getMetadata().getName());
        assertThat(backend.getPort().getName()).isEqualTo("http");
    }

    @Test
    void severalReplicasGetADisruptionBudgetAndRollingUpdates() {
        List<HasMetadata> manifests = parse(template(DEFAULTS).set("replicaCount", 3)
                .set("store.type", "s3").set("store.s3.bucket", "models").call());
        Deployment d = one(manifests, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(manifests).filteredOn(PodDisruptionBudget.class::isInstance).hasSize(1);
    }

    @Test
    void chartDeclaresTheKubernetesItNeedsForThePreStopSleep() {
        Map<String, Object> chart = readYaml(CHART.resolve("Chart.yaml"));
        assertThat(chart).containsEntry("kubeVersion", ">=1.30.0-0");
        Container c = container(deployment(DEFAULTS));
        assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        assertThatThrownBy(() -> new Helm(CHART).template().withName(RELEASE).withKubeVersion("1.29.9").call())
                .hasMessageContaining("kubeVersion").hasMessageContaining(">=1.30.0-0");
    }

    /**
     * The engines' natives come from the image's pre-filled cache, which no volume may hide; the
     * writable engine cache and java.io.tmpdir are on the emptyDir, and ONNX Runtime loads the
     * natives the image unpacked.
     */
    @ParameterizedTest
    @ValueSource(strings = {DEFAULTS, CPU, GPU})
    void enginesUseTheImagesPrefilledCacheReadOnly(String values) {
        List<HasMetadata> manifests = render(values);
        Container c = container(one(manifests, Deployment.class));
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env).containsEntry("PLUGBOARD_ENGINES_PREFILLED_DIR", "/opt/plugboard/engines")
                .containsEntry("PLUGBOARD_ENGINES_CACHE_DIR", "/var/cache/plugboard/engines");
        assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-Djava.io.tmpdir=/var/cache/plugboard ",
                "-Donnxruntime.native.path=/opt/plugboard/native/onnxruntime");
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).allSatisfy(path -> {
            assertThat("/opt/plugboard/engines/").as("hidden by the mount at %s", path).doesNotStartWith(path + "/");
            assertThat(path).doesNotStartWith("/opt/plugboard/engines").doesNotStartWith("/opt/plugboard/native");
        });
        assertThat(mount(c, "/var/cache/plugboard").getReadOnly()).isNotEqualTo(Boolean.TRUE);
        String config = one(manifests, io.fabric8.kubernetes.api.model.ConfigMap.class).getData()
                .get("application-k8s.yml");
        assertThat(config).contains("cache-dir: /var/cache/plugboard/engines",
                "prefilled-dir: \"/opt/plugboard/engines\"");
    }

    /** The prometheus-adapter rule in the README serves the metric the GPU example scales on. */
    @Test
    void readmeServesTheQueueTimeMetricTheGpuExampleScalesOn() throws IOException {
        String readme = Files.readString(CHART.resolve("README.md"));
        int at = readme.indexOf("```yaml\nrules:");
        assertThat(at).as("a prometheus-adapter rules block").isNotNegative();
        String block = readme.substring(at + "```yaml\n".length(), readme.indexOf("```", at + 7));
        Map<String, Object> rules = YAML.readValue(block, Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> rule = ((List<Map<String, Object>>) ((Map<String, Object>) rules.get("rules"))
                .get("custom")).get(0);
        String metric = one(render(GPU), HorizontalPodAutoscaler.class).getSpec().getMetrics().get(0).getPods()
                .getMetric().getName();
        assertThat(((Map<?, ?>) rule.get("name")).get("as")).isEqualTo(metric);
        assertThat((String) rule.get("seriesQuery")).startsWith(metric + "_count{");
        assertThat((String) rule.get("metricsQuery")).contains(metric + "_sum{<<.LabelMatchers>>}",
                metric + "_count{<<.LabelMatchers>>}", "by (<<.GroupBy>>)");
        @SuppressWarnings("unchecked")
        Map<String, Object> overrides = (Map<String, Object>) ((Map<String, Object>) rule.get("resources"))
                .get("overrides");
        assertThat(overrides).containsKeys("namespace", "pod");
    }

    /** Every key of values.yaml has a row in the README's values table (a row may cover a subtree). */
    @Test
    void readmeValuesTableCoversEveryValue() throws IOException {
        Set<String> documented = new java.util.TreeSet<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(CHART.resolve("README.md"))) {
            if (line.startsWith("| key |")) {
                inTable = true;
                continue;
            }
            if (!inTable || !line.startsWith("|") || line.startsWith("|---")) {
                inTable = inTable && line.startsWith("|");
                continue;
            }
            String cell = line.split("\\|")[1];
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([^`]+)`").matcher(cell);
            String previous = null;
            while (m.find()) {
                String key = m.group(1);
                if (key.startsWith(".") && previous != null) {
                    key = previous.substring(0, previous.lastIndexOf('.')) + key;
                }
                documented.add(key.endsWith(".*") ? key.substring(0, key.length() - 2) : key);
                previous = key;
            }
        }
        List<String> keys = new ArrayList<>();
        leafKeys(readYaml(CHART.resolve(DEFAULTS)), "", keys);
        assertThat(keys).as("values without a row in the README's table (documented: %s)", documented)
                .allSatisfy(key -> assertThat(documented).anySatisfy(d ->
                        assertThat(key.equals(d) || key.startsWith(d + ".")).as(key).isTrue()));
    }

    @SuppressWarnings("unchecked")
    private static void leafKeys(Map<String, Object> values, String prefix, List<String> keys) {
        values.forEach((k, v) -> {
            if (v instanceof Map<?, ?> map && !map.isEmpty()) {
                leafKeys((Map<String, Object>) map, prefix + k + ".", keys);
            } else {
                keys.add(prefix + k);
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // values.schema.json
    // ------------------------------------------------------------------------------------------

    @Test
    void schemaRejectsAStringReplicaCount() {
        assertThatThrownBy(() -> template(DEFAULTS).set("replicaCount", "two").call())
                .hasMessageContaining("schema").hasMessageContaining("replicaCount");
    }

    @Test
    void schemaRejectsAnUnknownVariant() {
        assertThatThrownBy(() -> template(DEFAULTS).set("variant", "tpu").call())
                .hasMessageContaining("schema").hasMessageContaining("variant");
    }

    @Test
    void schemaRejectsAnUnknownTopLevelKey(@TempDir Path temp) throws IOException {
        Path values = Files.writeString(temp.resolve("typo.yaml"), "replicas: 2\n");
        assertThatThrownBy(() -> template(DEFAULTS).withValuesFile(values).call())
                .hasMessageContaining("schema").hasMessageContaining("replicas");
    }

    @Test
    void schemaRejectsAnUnknownNestedKey(@TempDir Path temp) throws IOException {
        Path values = Files.writeString(temp.resolve("typo.yaml"), "serving:\n  maxBatch: 8\n");
        assertThatThrownBy(() -> template(DEFAULTS).withValuesFile(values).call())
                .hasMessageContaining("schema").hasMessageContaining("maxBatch");
    }

    @Test
    void schemaRejectsAMemoryQuantityWithoutItsUnit(@TempDir Path temp) throws IOException {
        Path values = Files.writeString(temp.resolve("bytes.yaml"), "resources:\n  limits:\n    memory: 4\n");
        assertThatThrownBy(() -> template(DEFAULTS).withValuesFile(values).call()).hasMessageContaining("memory");
    }

    @Test
    void schemaRejectsVolumeSizesWithoutTheirUnit(@TempDir Path temp) throws IOException {
        for (String values : List.of("cache:\n  sizeLimit: 4\n", "tmp:\n  sizeLimit: \"256\"\n",
                "persistence:\n  size: 20\n")) {
            Path file = Files.writeString(temp.resolve("bytes.yaml"), values);
            assertThatThrownBy(() -> template(DEFAULTS).withValuesFile(file).call()).as(values)
                    .hasMessageContaining("schema");
        }
        Path fine = Files.writeString(temp.resolve("fine.yaml"), "cache:\n  sizeLimit: 512Mi\ntmp:\n  sizeLimit: \"\"\n");
        assertThat(parse(template(DEFAULTS).withValuesFile(fine).call())).isNotEmpty();
    }

    @Test
    void autoscalingAloneBringsADisruptionBudget(@TempDir Path temp) throws IOException {
        Path values = Files.writeString(temp.resolve("hpa.yaml"),
                "autoscaling:\n  enabled: true\n  minReplicas: 1\n  maxReplicas: 4\n"
                        + "store:\n  type: s3\n  s3:\n    bucket: models\n");
        List<HasMetadata> manifests = parse(template(DEFAULTS).withValuesFile(values).call());
        assertThat(manifests).anyMatch(PodDisruptionBudget.class::isInstance);
    }

    // ------------------------------------------------------------------------------------------
    // helpers
    // ------------------------------------------------------------------------------------------

    private static TemplateCommand template(String values) {
        TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        return values.equals(DEFAULTS) ? command : command.withValuesFile(CHART.resolve(values));
    }

    static List<HasMetadata> render(String values) {
        return RENDERED.computeIfAbsent(values, v -> parse(template(v).call()));
    }

    /** Reads `helm template` output: one or several YAML documents. */
    static List<HasMetadata> parse(String yaml) {
        Object parsed = K8S.unmarshal(yaml);
        List<?> items;
        if (parsed instanceof KubernetesList list) {
            items = list.getItems();
        } else if (parsed instanceof List<?> list) {
            items = list;
        } else {
            items = List.of(parsed);
        }
        List<HasMetadata> manifests = new ArrayList<>();
        for (Object item : items) {
            if (item != null) {
                assertThat(item).as("a rendered manifest").isInstanceOf(HasMetadata.class);
                manifests.add((HasMetadata) item);
            }
        }
        return manifests;
    }

    private static Deployment deployment(String values) {
        return one(render(values), Deployment.class);
    }

    private static <T> T one(List<HasMetadata> manifests, Class<T> type) {
        return manifests.stream().filter(type::isInstance).map(type::cast).collect(single());
    }

    private static <T> java.util.stream.Collector<T, ?, T> single() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), list -> {
            assertThat(list).hasSize(1);
            return list.get(0);
        });
    }

    private static Container container(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).containsExactly("plugboard");
        return containers.get(0);
    }

    private static VolumeMount mount(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static void assertHttpGet(Container c, Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        Object port = probe.getHttpGet().getPort().getValue();
        if (port instanceof String name) {
            assertThat(c.getPorts()).extracting(ContainerPort::getName).contains(name);
        } else {
            assertThat(port).isEqualTo(8080);
        }
    }

    /**
     * Collects the path of every model object under {@code o} whose additionalProperties is not
     * empty: a field the typed Kubernetes model does not know (a typo or a misplaced key).
     */
    private static void unknownFields(Object o, String path, List<String> found, Set<Object> seen) {
        if (o == null || !seen.add(o)) {
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "[" + k + "]", found, seen));
            return;
        }
        if (!isModel(o.getClass())) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")) {
                continue;
            }
            Class<?> type = m.getReturnType();
            boolean additional = m.getName().equals("getAdditionalProperties");
            if (!additional && !isModel(type) && !Collection.class.isAssignableFrom(type)
                    && !Map.class.isAssignableFrom(type)) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(path + "." + m.getName(), e);
            }
            if (additional) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + ": " + extra.keySet());
                }
            } else {
                String property = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                unknownFields(value, path + "." + property, found, seen);
            }
        }
    }

    private static boolean isModel(Class<?> type) {
        return type.getName().startsWith("io.fabric8.kubernetes.api.model.");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYaml(Path file) {
        try {
            Map<String, Object> map = YAML.readValue(file, Map.class);
            return map == null ? new LinkedHashMap<>() : map;
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("cannot read " + file, e));
        }
    }

    /** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> base, Map<String, Object> override) {
        override.forEach((key, value) -> {
            Object current = base.get(key);
            if (value == null) {
                base.remove(key);
            } else if (current instanceof Map && value instanceof Map) {
                merge((Map<String, Object>) current, (Map<String, Object>) value);
            } else {
                base.put(key, value);
            }
        });
    }
}
