package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.TEACHER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One origin per student (the hub's subdomain_host): a page that alice serves from her own server, opened in a
 * browser where bob (or the admin) is logged in at the hub, can neither read nor change anything of theirs.
 *
 * The browser is shared as on a lab machine: alice logs in and opens her server (her server's cookie stays in
 * the browser, on her origin), logs out, bob logs in; then her page runs. It runs twice: as the file
 * /user/alice/files/evil.html (which jupyter_server also confines to a sandboxed origin), and injected into an
 * ordinary, unsandboxed document of alice's origin, as anything alice's origin served would run. Each time the
 * page's script records what it could see of every attempt; changes it sent blind are checked on the hub.
 */
class OriginIsolationInBrowserIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NOTE = "from a hostile page";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CfiddleCluster cluster = SharedCluster.get();
    private WebDriver browser;

    @BeforeEach
    void startTheBrowser() {
        browser = Browsers.headlessChromium("1280,1000");
    }

    @AfterEach
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aPageFromAlicesServerCannotActAsBob() throws Exception {
        attackFromAlicesOrigin(BOB);
    }

    @Test
    void aPageFromAlicesServerCannotActAsTheAdmin() throws Exception {
        attackFromAlicesOrigin(TEACHER);
    }

    @Test
    void cookieAuthenticatedChangesWithoutTheXsrfTokenAreRefused() {
        HubSession bob = cluster.logIn(BOB);
        bob.startServer();
        String newToken = "{\"note\": \"" + NOTE + "\"}";
        assertThat(bob.withCookiesOnly("POST", cluster.hubUrl() + "/hub/api/users/" + BOB + "/tokens", newToken).statusCode())
                .as("a new hub token with bob's hub cookies, no XSRF token").isEqualTo(403);
        assertThat(bob.withCookiesOnly("POST", bob.serverUrl() + "/api/contents", "{\"type\": \"file\"}").statusCode())
                .as("a new file in bob's server with its cookie, no XSRF token").isEqualTo(403);
        assertThat(bob.withCookiesOnly("DELETE", cluster.hubUrl() + "/hub/api/users/" + BOB + "/server", null).statusCode())
                .as("stopping bob's server with his hub cookies, no XSRF token").isEqualTo(403);
        assertThat(bob.hasServer()).as("bob's server still running").isTrue();
        assertThat(bob.tokenNotes()).doesNotContain(NOTE);
    }

    private void attackFromAlicesOrigin(String victim) throws Exception {
        String script = resource("hostile/attack.js");
        HubSession alice = cluster.logIn(ALICE);
        alice.startServer();
        alice.saveFile("evil.html", "<!doctype html><title>homework</title><pre id=\"attempts\"></pre><script>" + script
                + "\nattack(hubOrigin(), '" + victim + "', '" + TEACHER + "');</script>");
        HubSession victimSession = cluster.logIn(victim);
        victimSession.startServer();
        List<String> victimsFiles = victimSession.homeListing();

        // The shared browser: alice's server cookie stays on her origin after she logs out and the victim logs in.
        Browsers.logInAtHub(browser, cluster, ALICE);
        waitForUrl("/user/" + ALICE + "/lab");
        browser.get(cluster.hubUrl() + "/hub/logout");
        Browsers.logInAtHub(browser, cluster, victim);
        waitForUrl("/user/" + victim + "/lab");

        browser.get(alice.serverUrl() + "/files/evil.html");
        JsonNode fromTheFile = JSON.readTree((String) new WebDriverWait(browser, DEADLINE).until(b -> script(
                "var e = document.getElementById('attempts'); return e && e.textContent ? e.textContent : null;")));
        browser.get(alice.serverUrl() + "/api/status");
        assertThat(browser.getCurrentUrl()).as("an ordinary document of alice's origin").startsWith(alice.serverUrl());
        Object injected = ((JavascriptExecutor) browser).executeAsyncScript(script
                + "\nattack(hubOrigin(), '" + victim + "', '" + TEACHER + "').then(arguments[arguments.length - 1]);");
        JsonNode fromAlicesOrigin = JSON.valueToTree(injected);

        for (JsonNode attempts : List.of(fromTheFile, fromAlicesOrigin)) {
            assertThat(attempts).hasSize(10);
            for (JsonNode attempt : attempts) {
                assertThat(attempt.path("outcome").asText()).as(attempt.path("name").asText() + ": " + attempt)
                        .isIn("refused", "opaque");
            }
        }
        // What went out blind changed nothing: no new token for the victim or the admin, no new file.
        assertThat(victimSession.tokenNotes()).doesNotContain(NOTE);
        assertThat(cluster.logIn(TEACHER).tokenNotes()).doesNotContain(NOTE);
        assertThat(victimSession.homeListing()).containsExactlyInAnyOrderElementsOf(victimsFiles);

        // The victim's own use of their server still works in that browser.
        browser.get(victimSession.serverUrl() + "/lab");
        waitForUrl("/user/" + victim + "/lab");
        // As JupyterLab asks: with the XSRF token from its origin's _xsrf cookie (which only that origin can read).
        Object own = ((JavascriptExecutor) browser).executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "var xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '';"
                + "fetch('/user/" + victim + "/api/contents', {headers: {'X-XSRFToken': decodeURIComponent(xsrf)}})"
                + ".then(r => done(r.status), e => done(String(e)));");
        assertThat(own).as(victim + "'s own contents, from their own origin").isEqualTo(200L);
    }

    private void waitForUrl(String path) {
        new WebDriverWait(browser, DEADLINE).until(ExpectedConditions.urlContains(path));
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = OriginIsolationInBrowserIT.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
