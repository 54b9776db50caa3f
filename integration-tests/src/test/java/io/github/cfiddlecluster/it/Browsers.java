package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** What the browser suites share: Debian's headless Chromium, and a student logging in at the hub's form. */
final class Browsers {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Browsers() {
    }

    /** A headless Chromium with a window of the given size, e.g. "1280,1000". */
    static WebDriver headlessChromium(String windowSize) {
        assertThat(CHROMIUM).as("the browser test needs Debian's chromium and chromium-driver:"
                + " apt-get install chromium chromium-driver (.ci/run installs them)").isExecutable();
        assertThat(CHROMEDRIVER).as("apt-get install chromium-driver").isExecutable();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=" + windowSize);
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(),
                options);
    }

    /** Fills in and submits the hub's login form as the user (the caller waits for where it leads). */
    static void logInAtHub(WebDriver browser, CfiddleCluster cluster, String user) {
        browser.get(cluster.hubUrl() + "/hub/login");
        browser.findElement(By.id("username_input")).sendKeys(user);
        browser.findElement(By.id("password_input")).sendKeys(cluster.password(user));
        browser.findElement(By.id("login_submit")).click();
    }
}
