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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A student in a real browser (Debian's headless chromium, driven by Debian's chromium-driver): logs in, opens the
 * example notebook, runs all cells and sees the plot. The last screen is kept in target/screenshots.
 */
class ExampleNotebookInBrowserIT {
    private static final Path SCREENSHOT = Path.of("target", "screenshots", "example-notebook.png");
    private static final Duration SERVER_DEADLINE = Duration.ofMinutes(2);
    private static final Duration RUN_ALL_DEADLINE = Duration.ofMinutes(4);

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
        new WebDriverWait(browser, SERVER_DEADLINE).until(ExpectedConditions.urlContains("/user/" + CAROL + "/tree"));

        browser.get(cluster.hubUrl() + "/user/" + CAROL + "/notebooks/" + ExampleNotebook.PATH);
        new WebDriverWait(browser, SERVER_DEADLINE).until(b -> Boolean.TRUE.equals(script(
                "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())")));
        browser.findElement(By.linkText("Cell")).click();
        browser.findElement(By.cssSelector("#run_all_cells > a")).click();

        new WebDriverWait(browser, RUN_ALL_DEADLINE).until(b -> Boolean.TRUE.equals(script(
                "var cells = document.querySelectorAll('.code_cell');"
                        + "return document.querySelector('.output_error') !== null"
                        + " || cells[cells.length - 1].querySelector('.output_area img') !== null;")));
        assertThat(browser.findElements(By.cssSelector(".output_error"))).as("cells with errors").isEmpty();
        String lastOutput = (String) script(
                "var cells = document.querySelectorAll('.code_cell'); return cells[cells.length - 1].querySelector('.output').innerText;");
        assertThat(lastOutput).doesNotContain("<Figure size");
        assertThat(browser.findElements(By.cssSelector(".output_stderr"))).as("outputs in the error style")
                .allSatisfy(e -> assertThat(e.getText()).doesNotContain("%|"));
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }
}
