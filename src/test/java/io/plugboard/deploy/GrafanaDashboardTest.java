package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.problem.ProblemType;
import io.plugboard.support.ServerTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Grafana dashboard config/grafana/dashboards/plugboard.json against a live scrape: every
 * metric its queries read exists, with the type and labels the queries assume, and the data source
 * it names is the one Grafana is provisioned with.
 */
class GrafanaDashboardTest extends ServerTest {

    static final Path CONFIG = Path.of("config");
    static final Path DASHBOARD = CONFIG.resolve("grafana/dashboards/plugboard.json");
    static final Path DATASOURCES = CONFIG.resolve("grafana/provisioning/datasources/prometheus.yml");
    static final Path DASHBOARD_PROVIDERS = CONFIG.resolve("grafana/provisioning/dashboards/plugboard.yml");
    static final Path COMPOSE = Path.of("docker-compose.yml");

    private static final String MODEL = "grafana-dashboard";
    private static final Pattern METRIC = Pattern.compile("(?<![A-Za-z0-9_:$])((?:plugboard|jvm|http|process)_[A-Za-z0-9_:]*)");
    private static final Pattern SELECTOR = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern BY = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern RATE = Pattern.compile("\\b(?:rate|irate|increase)\\s*\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)");
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @BeforeEach
    void traffic() {
        Traffic.ensureModel(http, MODEL);
        for (int i = 0; i < 3; i++) {
            Traffic.infer(http, MODEL);
        }
        Traffic.badRequest(http, MODEL);
        Traffic.unknownModel(http);
        Traffic.expired(http, MODEL); // plugboard_inference_rejections_total exists from the first rejection
    }

    @Test
    void everyMetricTheDashboardQueriesIsExposed() {
        List<String> exprs = queries(JSON.readTree(DASHBOARD.toFile()));
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(10);
        Exposition scrape = Exposition.parse(Traffic.scrape(http));

        Set<String> missing = new TreeSet<>();
        List<String> wrongType = new ArrayList<>();
        for (String expr : exprs) {
            for (String name : metrics(expr)) {
                String family = family(name);
                if (!scrape.hasFamily(family)) {
                    missing.add(family + " (in " + expr + ")");
                    continue;
                }
                String type = scrape.type(family);
                if (name.endsWith("_bucket") && !"histogram".equals(type)) {
                    wrongType.add(name + " is read as a histogram but is a " + type);
                } else if ((name.endsWith("_sum") || name.endsWith("_count"))
                        && !"histogram".equals(type) && !"summary".equals(type)) {
                    wrongType.add(name + " is read as a histogram or summary but is a " + type);
                }
            }
            Matcher rate = RATE.matcher(expr);
            while (rate.find()) {
                String name = rate.group(1);
                if (!name.equals(family(name))) {
                    continue; // _bucket, _count, _sum: counters by construction
                }
                String type = scrape.type(name);
                if (type != null && !"counter".equals(type)) {
                    wrongType.add("rate() over " + name + ", a " + type);
                }
            }
        }
        assertThat(missing).as("metric families the dashboard reads but /actuator/prometheus lacks").isEmpty();
        assertThat(wrongType).isEmpty();
    }

    @Test
    void everyLabelTheDashboardUsesIsOnTheMetric() {
        Exposition scrape = Exposition.parse(Traffic.scrape(http));
        Set<String> outcomes = Arrays.stream(ProblemType.values()).map(ProblemType::slug)
                .collect(Collectors.toCollection(TreeSet::new));
        outcomes.add("success");
        List<String> problems = new ArrayList<>();
        for (String expr : queries(JSON.readTree(DASHBOARD.toFile()))) {
            String code = expr.replace("$__rate_interval", "5m");
            // Prometheus adds the target labels when it scrapes.
            Set<String> labelsOfExpr = new LinkedHashSet<>(TARGET_LABELS);
            Matcher selector = SELECTOR.matcher(code);
            while (selector.find()) {
                String name = selector.group(1);
                List<Exposition.Sample> samples = scrape.samples(name);
                Set<String> labels = samples.stream().flatMap(s -> s.labels().keySet().stream())
                        .collect(Collectors.toCollection(() -> new LinkedHashSet<>(TARGET_LABELS)));
                labelsOfExpr.addAll(labels);
                Matcher m = MATCHER.matcher(selector.group(2));
                while (m.find()) {
                    String label = m.group(1);
                    String op = m.group(2);
                    String value = m.group(3);
                    if (!labels.contains(label)) {
                        problems.add(name + " has no label " + label + " (" + expr + ")");
                    } else if (label.equals("outcome") && op.equals("=") && !outcomes.contains(value)) {
                        problems.add("outcome=\"" + value + "\" is no outcome the server counts (" + expr + ")");
                    } else if (op.equals("=") && !value.contains("$") && !label.equals("outcome")
                            && !TARGET_LABELS.contains(label)
                            && samples.stream().noneMatch(s -> value.equals(s.labels().get(label)))) {
                        problems.add("no sample " + name + "{" + label + "=\"" + value + "\"}");
                    }
                }
            }
            for (String name : metrics(code)) {
                scrape.samples(name).forEach(s -> labelsOfExpr.addAll(s.labels().keySet()));
            }
            Matcher by = BY.matcher(code);
            while (by.find()) {
                for (String label : by.group(1).split(",")) {
                    label = label.strip();
                    if (!label.isEmpty() && !labelsOfExpr.contains(label)) {
                        problems.add("grouping by " + label + ", a label none of its metrics has (" + expr + ")");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void dashboardUsesTheProvisionedPrometheusDataSource() {
        JsonNode provisioning = YAML.readTree(DATASOURCES.toFile());
        JsonNode datasource = provisioning.path("datasources").get(0);
        assertThat(provisioning.path("datasources").size()).isEqualTo(1);
        assertThat(datasource.path("uid").asString()).isEqualTo("prometheus");
        assertThat(datasource.path("type").asString()).isEqualTo("prometheus");
        assertThat(datasource.path("url").asString()).isEqualTo("http://prometheus:9090");

        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asString()).isEqualTo("plugboard");
        List<JsonNode> datasources = new ArrayList<>();
        collect(dashboard, "datasource", datasources);
        List<JsonNode> prometheus = datasources.stream()
                .filter(d -> d.isObject() && "prometheus".equals(d.path("type").asString())).toList();
        assertThat(prometheus).as("Prometheus data source references").isNotEmpty()
                .allSatisfy(d -> assertThat(d.path("uid").asString()).isEqualTo("prometheus"));
        assertThat(datasources).as("every data source reference is Prometheus or Grafana's built-in one")
                .allSatisfy(d -> assertThat(d.path("type").asString()).isIn("prometheus", "grafana"));
        // Every panel query reads from it, directly or through its panel.
        forEachPanel(dashboard.path("panels"), panel -> panel.path("targets").values().forEach(t -> {
            JsonNode ds = t.has("datasource") ? t.path("datasource") : panel.path("datasource");
            assertThat(ds.path("uid").asString()).as("data source of %s", panel.path("title")).isEqualTo("prometheus");
        }));
    }

    @Test
    void composeMountsWhatGrafanaAndPrometheusAreConfiguredToRead() {
        JsonNode compose = YAML.readTree(COMPOSE.toFile());
        JsonNode services = compose.path("services");

        JsonNode providers = YAML.readTree(DASHBOARD_PROVIDERS.toFile()).path("providers");
        String dashboardsPath = providers.get(0).path("options").path("path").asString();
        List<String> grafanaVolumes = services.path("grafana").path("volumes").values().stream()
                .map(JsonNode::asString).toList();
        assertThat(grafanaVolumes).contains("./config/grafana/dashboards:" + dashboardsPath + ":ro",
                "./config/grafana/provisioning:/etc/grafana/provisioning:ro");
        assertThat(services.path("grafana").path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
                .asString()).isEqualTo(dashboardsPath + "/" + DASHBOARD.getFileName());

        // The data source URL names the compose service and its port; Prometheus scrapes plugboard:8080.
        assertThat(services.has("prometheus")).isTrue();
        assertThat(services.path("prometheus").path("ports").values()).extracting(JsonNode::asString)
                .contains("9090:9090");
        JsonNode prometheus = YAML.readTree(CONFIG.resolve("prometheus.yml").toFile());
        JsonNode job = prometheus.path("scrape_configs").values().stream()
                .filter(j -> "plugboard".equals(j.path("job_name").asString())).findFirst().orElseThrow();
        assertThat(job.path("metrics_path").asString()).isEqualTo("/actuator/prometheus");
        assertThat(job.path("static_configs").get(0).path("targets").values()).extracting(JsonNode::asString)
                .containsExactly("plugboard:8080");
        assertThat(services.path("plugboard").path("ports").values()).extracting(JsonNode::asString)
                .contains("8080:8080");
        // $__rate_interval assumes Grafana knows the scrape interval.
        String timeInterval = YAML.readTree(DATASOURCES.toFile()).path("datasources").get(0)
                .path("jsonData").path("timeInterval").asString();
        assertThat(timeInterval).isEqualTo(job.path("scrape_interval").asString());
    }

    // ------------------------------------------------------------------------------------------

    /** Every PromQL query of the dashboard: panel targets (rows' panels too) and template variables. */
    static List<String> queries(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        forEachPanel(dashboard.path("panels"), panel -> panel.path("targets").values().forEach(t -> {
            if (t.path("expr").isString()) {
                exprs.add(t.path("expr").asString());
            }
        }));
        for (JsonNode variable : dashboard.path("templating").path("list").values()) {
            if ("query".equals(variable.path("type").asString())) {
                JsonNode q = variable.path("query");
                String text = q.isString() ? q.asString() : q.path("query").asString();
                if (!text.isBlank()) {
                    exprs.add(text);
                }
            }
        }
        return exprs;
    }

    private static void forEachPanel(JsonNode panels, java.util.function.Consumer<JsonNode> action) {
        for (JsonNode panel : panels.values()) {
            action.accept(panel);
            forEachPanel(panel.path("panels"), action);
        }
    }

    private static void collect(JsonNode node, String field, List<JsonNode> found) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals(field)) {
                    found.add(e.getValue());
                }
                collect(e.getValue(), field, found);
            }
        } else if (node.isArray()) {
            node.values().forEach(v -> collect(v, field, found));
        }
    }

    /** Metric names in a query: Plugboard's, the JVM's, HTTP's and the process's, outside strings. */
    static Set<String> metrics(String expr) {
        String code = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(code);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The family a sample name belongs to: without _bucket, _count or _sum. */
    static String family(String name) {
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }
}
