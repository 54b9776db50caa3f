package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.CAROL;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * A student watches the cluster dashboard in a real browser (Debian's headless chromium through chromium-driver):
 * logs in at the hub, sees a worker become busy with their experiment and idle after it without reloading, sees
 * the queue fill when more experiments than workers are submitted, and the history's charts. A screenshot of each
 * page is kept in target/screenshots.
 */
@org.junit.jupiter.api.extension.ExtendWith(DashboardLogOnFailure.class)
class DashboardInBrowserIT {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private final CfiddleCluster cluster = SharedCluster.get();
    private WebDriver browser;

    @BeforeEach
    void startTheBrowserAndLogIn() {
        browser = Browsers.headlessChromium("1280,1000");
        Browsers.logInAtHub(browser, cluster, CAROL);
        new WebDriverWait(browser, DEADLINE).until(ExpectedConditions.urlContains("/user/" + CAROL + "/"));
    }

    @AfterEach
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aWorkerBecomesBusyWithTheStudentsExperimentAndIdleAfterIt() throws IOException {
        open("");
        assertThat(browser.findElement(By.id("viewer")).getText()).isEqualTo(CAROL);
        until("every worker idle", "return rows('#workers tbody tr').length > 0 && rows('#workers tbody tr').every(r => r.dataset.state === 'idle')");
        long updatesBefore = updates();

        CompletableFuture<String> run = CompletableFuture.supplyAsync(
                () -> cluster.python(CAROL, "experiments/busy_experiments.py", "1", "6000", "dashboard-browser"));
        try {
            until("a worker running carol's experiment",
                    "return rows('#workers tbody tr').some(r => r.dataset.state === 'running' && r.classList.contains('yours'))");
            WebElement busy = browser.findElement(By.cssSelector("#workers tbody tr.yours"));
            assertThat(busy.getText()).contains("(yours)");
            assertThat(browser.findElement(By.cssSelector("#yours-table tbody tr")).getAttribute("data-state")).isEqualTo("RUNNING");
            screenshot("dashboard-workers.png");
        } finally {
            run.join();
        }
        until("every worker idle again", "return rows('#workers tbody tr').every(r => r.dataset.state === 'idle')");
        assertThat(updates()).as("the page redrew itself, without a reload").isGreaterThan(updatesBefore);
        assertThat(browser.getCurrentUrl()).endsWith("/services/dashboard/");
    }

    @Test
    void theQueueFillsWhenThereAreMoreExperimentsThanWorkers() throws IOException {
        open("queue");
        until("an empty queue", "return rows('#queue tbody tr').length === 0");
        List<CompletableFuture<String>> runs = new ArrayList<>();
        for (String user : List.of(ALICE, BOB, CAROL)) {
            runs.add(CompletableFuture.supplyAsync(() -> cluster.python(user, "experiments/busy_experiments.py", "1", "8000", "dashboard-queue")));
        }
        try {
            until("two experiments running and one waiting",
                    "return rows('#queue tbody tr').filter(r => r.dataset.state === 'RUNNING').length === " + cluster.workerNames().size()
                            + " && rows('#queue tbody tr').some(r => r.dataset.state === 'PENDING' && r.dataset.position === '1')");
            assertThat(browser.findElement(By.id("queue-summary")).getText()).contains("1 waiting");
            screenshot("dashboard-queue.png");
        } finally {
            runs.forEach(CompletableFuture::join);
        }
        until("the queue empty again", "return rows('#queue tbody tr').length === 0");
    }

    @Test
    void theHistoryChartsTheDayWithAChartLibraryServedByTheDashboard() throws IOException {
        cluster.python(CAROL, "experiments/busy_experiments.py", "1", "100", "dashboard-history");
        open("history");
        until("carol's experiments in her totals",
                "return rows('#totals tbody tr[data-user=\"" + CAROL + "\"]').length === 1 && Number(rows('#totals tbody tr[data-user=\"" + CAROL + "\"]')[0].cells[1].textContent) > 0");
        assertThat(script("return typeof Chart !== 'undefined' && Chart.getChart('per-hour') !== undefined")).isEqualTo(Boolean.TRUE);
        assertThat((String) script("return document.querySelector('script[src*=\"chart\"]').src"))
                .startsWith(cluster.dashboardUrl());
        assertThat(browser.findElement(By.id("totals")).getText()).doesNotContain(ALICE).doesNotContain(BOB);
        screenshot("dashboard-history.png");
    }

    private void open(String page) {
        browser.get(cluster.dashboardUrl() + page);
        new WebDriverWait(browser, DEADLINE).until(b -> Boolean.TRUE.equals(script(
                "return Number(document.body.dataset.updates) > 0 && document.body.dataset.slurm === 'available'")));
    }

    private void until(String what, String condition) {
        new WebDriverWait(browser, DEADLINE).withMessage(what).until(b -> Boolean.TRUE.equals(script(
                "function rows(selector) { return Array.from(document.querySelectorAll(selector)); }\n" + condition)));
    }

    private long updates() {
        return Long.parseLong((String) script("return document.body.dataset.updates"));
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
    }
}
