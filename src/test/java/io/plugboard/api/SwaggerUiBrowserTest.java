package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Swagger UI in a real browser (Debian's {@code chromium} driven through {@code chromedriver}):
 * "Try it out" on {@code POST /v1/models} with only the model file chosen (or several files) sends
 * the files and no other value, so the server names the model and detects its format; "Try it out"
 * on an infer operation then runs it. Skipped where the browser is not installed, unless
 * {@code PLUGBOARD_REQUIRE_BROWSER=1} (as CI sets).
 */
class SwaggerUiBrowserTest extends ServerTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String MISSING = CHROMIUM + " or " + CHROMEDRIVER + " is missing (install the Debian "
            + "packages chromium and chromium-driver)";

    /**
     * Replaces the page's fetch with one that records what each request sends, multipart fields
     * by name (a file by its file name), before passing it on.
     */
    private static final String RECORD_REQUESTS = """
            window.plugboardSent = [];
            const send = window.fetch;
            window.fetch = function (url, init) {
              const body = init && init.body;
              let fields = null;
              if (body instanceof FormData) {
                fields = [];
                for (const [key, value] of body.entries()) {
                  fields.push([key, value instanceof File ? 'file:' + value.name : String(value)]);
                }
              }
              window.plugboardSent.push({url: String(url), method: (init && init.method) || 'GET', fields: fields,
                body: typeof body === 'string' ? body : null});
              return send.apply(this, arguments);
            };
            """;

    private static ChromeDriverService service;
    private static WebDriver browser;
    private static Path profile;

    private WebDriverWait wait;

    @BeforeAll
    static void startBrowser() throws IOException {
        if (!installed()) {
            if ("1".equals(System.getenv("PLUGBOARD_REQUIRE_BROWSER"))) {
                fail(MISSING + " and PLUGBOARD_REQUIRE_BROWSER=1");
            }
            return; // each test is skipped
        }
        // both binaries are given below; should Selenium Manager ever be asked, it must not download
        System.setProperty("SE_OFFLINE", "true");
        profile = Files.createTempDirectory("plugboard-chromium");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--user-data-dir=" + profile, "--window-size=1400,1000");
        try {
            browser = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            stopBrowser();
            throw e;
        }
    }

    private static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            browser = null;
            if (service != null) {
                service.stop();
                service = null;
            }
            if (profile != null) {
                FileSystemUtils.deleteRecursively(profile);
                profile = null;
            }
        }
    }

    @BeforeEach
    void openSwaggerUi() {
        Assumptions.assumeTrue(browser != null, MISSING);
        wait = new WebDriverWait(browser, WAIT);
        browser.get("http://localhost:" + port + "/swagger-ui.html");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".opblock-summary-path")));
        ((JavascriptExecutor) browser).executeScript(RECORD_REQUESTS);
    }

    /** The page each test ended on, to see what went wrong: target/swagger-ui/&lt;test&gt;.{html,png}. */
    @AfterEach
    void keepThePage(TestInfo test) {
        if (browser == null) {
            return;
        }
        try {
            Path dir = Path.of("target/swagger-ui");
            Files.createDirectories(dir);
            String name = test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test");
            Files.writeString(dir.resolve(name + ".html"), browser.getPageSource(), StandardCharsets.UTF_8);
            Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException | RuntimeException e) {
            // a convenience: the test's own outcome stands
        }
    }

    @Test
    void aFileAloneUploadsAndRunsThroughTheV1Api() {
        Path mlp = onnx("mlp").toAbsolutePath();

        // POST /v1/models: Try it out, choose the file, leave every other field as the form shows it
        WebElement upload = tryItOut("post", "/v1/models");
        Map<String, String> shown = formValues(upload);
        assertThat(shown.keySet()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("file"), UploadFields.FIELDS.stream()).toList());
        assertThat(shown).as("values the form shows").allSatisfy((field, value) -> assertThat(value).as(field).isEmpty());
        chooseFiles(upload, mlp);
        Shown created = execute(upload);

        assertThat(created.status()).as(created.body()).isEqualTo("201");
        JsonNode model = Http.JSON.readTree(created.body());
        String id = model.get("id").asString();
        assertThat(id).matches("mlp-[0-9a-f]{8}");
        assertThat(model.get("format").asString()).isEqualTo("onnx");
        assertThat(model.get("state").asString()).isEqualTo("READY");
        assertThat(model.get("files").toString()).isEqualTo("[\"mlp.onnx\"]");
        assertSentOnly(sent().get(0), "/v1/models", "mlp.onnx");

        // what the server stored: the derived id, and what an upload of the file alone gets
        JsonNode listed = http.get("/v1/models").json().get("models");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asString()).isEqualTo(id);
        Http.Reply alone = http.upload(Map.of(), List.of(Http.Part.of(mlp)));
        assertThat(alone.status()).as(alone.toString()).isEqualTo(201);
        for (String same : List.of("format", "backend", "target", "placement", "settings", "inputs", "outputs", "sha256")) {
            assertThat(listed.get(0).get(same)).as(same).isEqualTo(alone.json().get(same));
        }

        // POST /v1/models/{id}/infer: the new id, the model's reference request as the body
        Cases.Case reference = Cases.of(MODELS.resolve("onnx/mlp.cases.json")).get(0);
        WebElement infer = tryItOut("post", "/v1/models/{id}/infer");
        type(infer.findElement(By.cssSelector("tr[data-param-name='id'] input")), id);
        paste(infer.findElement(By.cssSelector("textarea.body-param__text")), reference.request());
        Shown answer = execute(infer);

        assertThat(answer.status()).as(answer.body()).isEqualTo("200");
        JsonNode outputs = Http.JSON.readTree(answer.body());
        assertThat(outputs.get("model_name").asString()).isEqualTo(id);
        Cases.assertOutputs(outputs, reference.outputs(), 1e-4, 1e-5);
        // exactly what the same request sent directly gets
        assertThat(outputs).isEqualTo(http.postJson("/v1/models/" + id + "/infer", reference.request()).json());
        assertSent(sent().get(1), "/v1/models/" + id + "/infer", reference.request());
    }

    @Test
    void severalFilesUploadAsOneModelAndRunThroughTheV2Api() {
        Path prototxt = MODELS.resolve("opencv/tiny.prototxt").toAbsolutePath();
        Path caffemodel = MODELS.resolve("opencv/tiny.caffemodel").toAbsolutePath();

        WebElement upload = tryItOut("post", "/v1/models");
        chooseFiles(upload, prototxt, caffemodel);
        Shown created = execute(upload);

        assertThat(created.status()).as(created.body()).isEqualTo("201");
        JsonNode model = Http.JSON.readTree(created.body());
        String id = model.get("id").asString();
        assertThat(id).matches("tiny-[0-9a-f]{8}");
        assertThat(model.get("format").asString()).isEqualTo("caffe");
        assertThat(model.get("files").toString()).contains("\"tiny.prototxt\"", "\"tiny.caffemodel\"");
        assertSentOnly(sent().get(0), "/v1/models", "tiny.prototxt", "tiny.caffemodel");

        // POST /v2/models/{name}/infer
        Cases.Case reference = Cases.of(MODELS.resolve("opencv/caffe.cases.json")).get(0);
        WebElement infer = tryItOut("post", "/v2/models/{name}/infer");
        type(infer.findElement(By.cssSelector("tr[data-param-name='name'] input")), id);
        paste(infer.findElement(By.cssSelector("textarea.body-param__text")), reference.request());
        Shown answer = execute(infer);

        assertThat(answer.status()).as(answer.body()).isEqualTo("200");
        JsonNode outputs = Http.JSON.readTree(answer.body());
        assertThat(outputs.get("model_name").asString()).isEqualTo(id);
        Cases.assertOutputs(outputs, reference.outputs(), 1e-5, 1e-5);
        assertThat(outputs).isEqualTo(http.postJson("/v2/models/" + id + "/infer", reference.request()).json());
        assertSent(sent().get(1), "/v2/models/" + id + "/infer", reference.request());
    }

    /**
     * A request sent the chosen files as its {@code file} parts and no other value: Swagger UI sends
     * an optional field the user left empty as an empty part ("Send empty value" is ticked by
     * default), which the server reads as absent.
     */
    private static void assertSentOnly(Map<String, Object> request, String path, String... files) {
        assertThat(request).containsEntry("method", "POST");
        assertThat((String) request.get("url")).endsWith(path);
        @SuppressWarnings("unchecked")
        List<List<String>> fields = (List<List<String>>) request.get("fields");
        assertThat(fields).as("multipart fields sent").isNotNull();
        List<String> sentFiles = new ArrayList<>();
        for (List<String> field : fields) {
            if (field.get(0).equals("file")) {
                sentFiles.add(field.get(1));
            } else {
                assertThat(field.get(1)).as("field %s sent by %s", field.get(0), fields).isEmpty();
            }
        }
        assertThat(sentFiles).containsExactly(java.util.Arrays.stream(files).map(f -> "file:" + f).toArray(String[]::new));
    }

    /** A request was a POST of this JSON body to this path. */
    private static void assertSent(Map<String, Object> request, String path, String json) {
        assertThat(request).containsEntry("method", "POST");
        assertThat((String) request.get("url")).endsWith(path);
        assertThat(Http.JSON.readTree((String) request.get("body"))).isEqualTo(Http.JSON.readTree(json));
    }

    /** The operation block for a method and path, expanded, with "Try it out" pressed. */
    private WebElement tryItOut(String method, String path) {
        By block = By.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' opblock-" + method + " ')]"
                + "[.//*[@data-path='" + path + "']]");
        WebElement operation = wait.until(ExpectedConditions.presenceOfElementLocated(block));
        WebElement summary = operation.findElement(By.cssSelector(".opblock-summary-control"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", summary);
        summary.click();
        WebElement button = wait.until(ExpectedConditions.elementToBeClickable(
                operation.findElement(By.cssSelector("button.try-out__btn"))));
        button.click();
        wait.until(ExpectedConditions.presenceOfNestedElementLocatedBy(block, By.cssSelector("button.execute")));
        return browser.findElement(block);
    }

    /** The values an operation's form shows, by field. */
    private static Map<String, String> formValues(WebElement operation) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (WebElement row : operation.findElements(By.cssSelector(".opblock-section-request-body tr[data-property-name]"))) {
            StringBuilder value = new StringBuilder();
            for (WebElement input : row.findElements(By.cssSelector("input:not([type=checkbox]), textarea, select"))) {
                value.append(input.getDomProperty("value"));
            }
            values.put(row.getDomAttribute("data-property-name"), value.toString());
        }
        return values;
    }

    /** Chooses files in the form's {@code file} field, one array item each. */
    private void chooseFiles(WebElement operation, Path... files) {
        WebElement field = operation.findElement(By.cssSelector("tr[data-property-name='file']"));
        for (int i = 0; i < files.length; i++) {
            List<WebElement> inputs = field.findElements(By.cssSelector("input[type=file]"));
            if (inputs.size() <= i) {
                field.findElement(By.cssSelector("button.json-schema-form-item-add")).click();
                int want = i + 1;
                wait.until(d -> field.findElements(By.cssSelector("input[type=file]")).size() >= want);
                inputs = field.findElements(By.cssSelector("input[type=file]"));
            }
            inputs.get(i).sendKeys(files[i].toString());
        }
    }

    /** Types into a field key by key, then leaves it (Swagger UI takes a field's value when it loses focus). */
    private static void type(WebElement input, String text) {
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        input.sendKeys(text, Keys.TAB);
    }

    /**
     * Puts a request body into its text area as a paste would: one input event with the whole
     * text. Typed key by key, each key re-renders the operation, several seconds per hundred
     * characters.
     */
    private void paste(WebElement textArea, String text) {
        ((JavascriptExecutor) browser).executeScript("""
                const area = arguments[0];
                Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(area, arguments[1]);
                area.dispatchEvent(new Event('input', {bubbles: true}));
                """, textArea, text);
        wait.until(d -> text.equals(textArea.getDomProperty("value")));
    }

    /** A response as Swagger UI shows it. */
    private record Shown(String status, String body) {
    }

    private Shown execute(WebElement operation) {
        operation.findElement(By.cssSelector("button.execute")).click();
        By status = By.cssSelector(".live-responses-table .response .response-col_status");
        WebElement shown = wait.until(d -> {
            List<WebElement> found = operation.findElements(status);
            return found.isEmpty() || found.get(0).getText().isBlank() ? null : found.get(0);
        });
        String body = operation.findElement(By.cssSelector(".live-responses-table .response-col_description pre"))
                .getText();
        return new Shown(shown.getText().trim(), body);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> sent() {
        Object recorded = ((JavascriptExecutor) browser).executeScript("return window.plugboardSent");
        return recorded == null ? List.of() : new ArrayList<>((List<Map<String, Object>>) recorded);
    }
}
