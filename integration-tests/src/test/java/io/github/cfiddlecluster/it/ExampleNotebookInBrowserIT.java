package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.CAROL;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A student in a real browser (Debian's headless chromium, driven by Debian's chromium-driver): logs in, opens the
 * example notebook in JupyterLab, runs all cells and sees the plot. The last screen is kept in target/screenshots.
 */
class ExampleNotebookInBrowserIT {
    private static final Path SCREENSHOT = Path.of("target", "screenshots", "example-notebook.png");
    private static final Duration SERVER_DEADLINE = Duration.ofMinutes(2);
    private static final Duration RUN_ALL_DEADLINE = Duration.ofMinutes(4);
    /** JupyterLab renders a cell's exception, like its stderr, as text of this MIME type (with its traceback). */
    private static final String STDERR_OUTPUT = "[data-mime-type=\"application/vnd.jupyter.stderr\"]";
    private static final String ANY_ERROR = "Array.from(document.querySelectorAll('" + STDERR_OUTPUT + "'))"
            + ".some(e => /Traceback|Error:/.test(e.innerText))";

    private final CfiddleCluster cluster = SharedCluster.get();
    private WebDriver browser;

    @BeforeEach
    void startTheBrowser() {
        browser = Browsers.headlessChromium("1280,2400");
    }

    @AfterEach
    void keepTheLastScreenAndCloseTheBrowser() throws IOException {
        if (browser != null) {
            Files.createDirectories(SCREENSHOT.getParent());
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT,
                    StandardCopyOption.REPLACE_EXISTING);
            browser.quit();
        }
    }

    @Test
    void aStudentRunsTheExampleNotebookAndSeesThePlot() {
        Browsers.logInAtHub(browser, cluster, CAROL);
        new WebDriverWait(browser, SERVER_DEADLINE).until(ExpectedConditions.urlContains("/user/" + CAROL + "/lab"));

        // JupyterLab 4, on carol's own origin: the notebook, then Run > Run All Cells (queued until the kernel is up).
        browser.get(HubHttp.subdomainUrl(cluster.hubUrl(), CAROL) + "/user/" + CAROL + "/lab/tree/" + ExampleNotebook.PATH);
        new WebDriverWait(browser, SERVER_DEADLINE).until(b -> Boolean.TRUE.equals(script(
                "return document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length > 0"
                        + " && /Idle/.test((document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-KernelStatus') || {}).title"
                        + " || document.body.innerText);")));
        menuItem(".lm-MenuBar-itemLabel", "Run").click();
        menuItem(".lm-Menu-itemLabel", "Run All Cells").click();

        new WebDriverWait(browser, RUN_ALL_DEADLINE).until(b -> Boolean.TRUE.equals(script(
                "var cells = document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell');"
                        + "return " + ANY_ERROR
                        + " || cells[cells.length - 1].querySelector('.jp-OutputArea-output img') !== null;")));
        assertThat(browser.findElements(By.cssSelector(STDERR_OUTPUT))).as("cells with errors")
                .extracting(WebElement::getText).noneMatch(text -> text.contains("Traceback"));
        String lastOutput = (String) script("var cells = document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell');"
                + " return cells[cells.length - 1].querySelector('.jp-Cell-outputArea').innerText;");
        assertThat(lastOutput).doesNotContain("<Figure size");
        assertThat(browser.findElements(By.cssSelector(STDERR_OUTPUT)))
                .as("outputs in the error style").allSatisfy(e -> assertThat(e.getText()).doesNotContain("%|"));
    }

    /** The visible menu entry with exactly this label (JupyterLab's Lumino menus). */
    private WebElement menuItem(String selector, String label) {
        return new WebDriverWait(browser, SERVER_DEADLINE).until(b -> b.findElements(By.cssSelector(selector)).stream()
                .filter(e -> e.isDisplayed() && e.getText().trim().equals(label)).findFirst().orElse(null));
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }
}
