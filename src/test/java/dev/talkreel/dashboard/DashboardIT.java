package dev.talkreel.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by Selenium through chromium-driver, against
 * the whole stack (emulators and the real orchestrator). A job is submitted through the form, its timeline reaches
 * done over the live events, its video plays 8 s, a script holding markup stays text, and a failed job is retried
 * with the button. Without chromium and chromium-driver (apt-get install chromium chromium-driver) it is skipped,
 * saying so.
 */
class DashboardIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    /** Markup a job's text could carry: it must show as text and never run. */
    private static final String HOSTILE = "Hello <img src=x onerror=\"window.__xss=1\"> and <script>window.__xss=2</script> bye.";

    private static final Optional<Path> CHROMIUM = onPath("chromium");
    private static final Optional<Path> DRIVER = onPath("chromedriver");

    /** Asked first: without a browser the class is skipped, the stack never started, and the output says why. */
    @RegisterExtension
    @Order(1)
    static final ExecutionCondition NEEDS_CHROMIUM = context -> {
        if (CHROMIUM.isPresent() && DRIVER.isPresent()) {
            return ConditionEvaluationResult.enabled("chromium and chromedriver are on the PATH");
        }
        String why = "DashboardIT SKIPPED: the browser test needs Debian's chromium and chromium-driver on the PATH "
                + "(apt-get install -y chromium chromium-driver); found chromium: " + CHROMIUM.isPresent()
                + ", chromedriver: " + DRIVER.isPresent();
        System.out.println(why);
        return ConditionEvaluationResult.disabled(why);
    };

    @RegisterExtension
    @Order(2)
    static final RunningStack talkreel = new RunningStack(Map.of());
    private static WebDriver browser;

    @BeforeAll
    static void startBrowser() {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.get().toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100",
                        "--mute-audio");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.get().toFile())
                .build(), options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aJobSubmittedInTheFormIsWatchedToDoneAndItsVideoLastsEightSeconds() throws Exception {
        browser.get(talkreel.stack().api() + "/");
        fill("url", URL);
        fill("script", HOSTILE);
        assertEquals("7 words: about 2.8 s of speech (the video lasts 8 s)", text("estimate"), "the live estimate");
        fill("script", HOSTILE + " " + "word ".repeat(14));
        assertTrue(text("estimate").startsWith("21 words: about 8.4 s of speech (the video lasts 8 s; too long"),
                text("estimate"));
        fill("script", HOSTILE);
        fill("prompt", "A <b>bold</b> presenter");
        browser.findElement(By.id("submit")).click();

        String id = waitFor("the job is shown", () -> text("job-id").isEmpty() ? null : text("job-id"), Duration.ofSeconds(10));
        waitFor("the timeline reaches done over the live events", () -> "done".equals(text("job-status"))
                && timeline().stream().allMatch(s -> s.equals("done")) ? true : null, DEADLINE);
        assertEquals(List.of("audio", "voice", "portrait", "video", "captions", "finish", "poster"),
                browser.findElements(By.cssSelector("#timeline tbody tr"))
                .stream().map(r -> r.getDomAttribute("data-step")).toList());
        double duration = waitFor("the video's duration is known", () -> {
            Object d = js("const v = document.getElementById('video'); return v.src && v.readyState >= 1 ? v.duration : null;");
            return d == null ? null : ((Number) d).doubleValue();
        }, Duration.ofSeconds(30));
        assertEquals(8.0, duration, 0.1, "the <video> element's duration");
        waitFor("the portrait is shown", () -> (Boolean) js("const i = document.getElementById('portrait');"
                + " return i.complete && i.naturalWidth > 0 ? true : null;"), Duration.ofSeconds(10));

        assertEquals(HOSTILE, text("job-script"), "the script is shown as text");
        assertEquals(Boolean.TRUE, js("return window.__xss === undefined;"), "nothing in the script ran");
        assertEquals(0L, js("return document.querySelectorAll('img[src=\"x\"], #job-script *, script:not([src])').length;"),
                "no element was made from the script");
        Path shot = screenshot("dashboard-done.png");
        // the README's picture of the dashboard, renewed on request (-Dtalkreel.docs.refresh=true): a test run
        // otherwise leaves the source tree as it was
        if (Boolean.getBoolean("talkreel.docs.refresh") && Files.isDirectory(Path.of("docs"))) {
            Files.copy(shot, Path.of("docs", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        }
        assertTrue(id.matches("[0-9]{8}-[0-9]{6}-[0-9a-f]{6}"), id);
    }

    @Test
    void aFailedJobIsRetriedWithTheButton() throws Exception {
        // out of GPU memory twice: the video step's one retry after a cool-down fails too
        talkreel.emulators().infinitetalk.behaviour().failNext("generate", Fault.OOM, 2);
        browser.get(talkreel.stack().api() + "/");
        fill("url", URL);
        fill("script", "This one fails at the video, then a retry finishes it.");
        browser.findElement(By.id("submit")).click();
        waitFor("the job fails", () -> "failed".equals(text("job-status")) ? true : null, DEADLINE);
        WebElement video = browser.findElement(By.cssSelector("#timeline tr[data-step='video']"));
        assertEquals("failed", video.findElements(By.tagName("td")).get(1).getText());
        assertTrue(!video.findElements(By.tagName("td")).get(4).getText().isBlank(),
                "the step's error is shown: " + video.getText());
        assertTrue(browser.findElement(By.id("cancel")).getDomProperty("disabled").equals("true"), "a failed job has no cancel");
        screenshot("dashboard-failed.png");

        browser.findElement(By.id("retry")).click();
        waitFor("the retried job is done", () -> "done".equals(text("job-status")) ? true : null, DEADLINE);
        WebElement retried = browser.findElement(By.cssSelector("#timeline tr[data-step='video']"));
        assertEquals("2", retried.findElements(By.tagName("td")).get(2).getText(), "the video step's second attempt");
        assertEquals("1", browser.findElement(By.cssSelector("#timeline tr[data-step='voice']"))
                .findElements(By.tagName("td")).get(2).getText(), "the voice was not made again");
    }

    private static void fill(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static List<String> timeline() {
        return browser.findElements(By.cssSelector("#timeline tbody tr td.state")).stream().map(WebElement::getText).toList();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static <T> T waitFor(String what, Supplier<T> value, Duration deadline) {
        return new WebDriverWait(browser, deadline, Duration.ofMillis(100)).withMessage(what).until(d -> {
            try {
                return value.get();
            } catch (StaleElementReferenceException redrawn) {
                return null;
            }
        });
    }

    private static Path screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("DashboardIT screenshot: " + target.toAbsolutePath());
        return target;
    }

    private static Optional<Path> onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, command)).filter(Files::isExecutable).findFirst();
    }
}
