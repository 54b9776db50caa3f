package io.github.cfiddlecluster.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One student in JupyterHub, over real HTTP as a browser does it: the login form, the hub's cookies, the spawn
 * page; then a token of their own (made through the hub with their login) for the REST and kernel calls.
 */
public final class HubSession {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_DEADLINE = Duration.ofMinutes(2);
    private static final String LOGIN_COOKIE = "jupyterhub-hub-login";

    private final String hubUrl;
    private final String user;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;
    private String token;

    private HubSession(String hubUrl, String user) {
        this.hubUrl = hubUrl;
        this.user = user;
        this.http = HubHttp.client().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** What the login form answered. */
    public record Login(HubSession session, boolean loggedIn, int status, String page) {
    }

    /** Submits the hub's login form. */
    public static Login attempt(String hubUrl, String user, String password) {
        HubSession session = new HubSession(hubUrl, user);
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        // Not following the redirect: a successful login answers 302 and sets the login cookie.
        HttpResponse<String> r = session.send(HttpRequest.newBuilder(URI.create(hubUrl + "/hub/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), false);
        boolean loggedIn = session.cookies.getCookieStore().getCookies().stream().anyMatch(c -> c.getName().equals(LOGIN_COOKIE));
        return new Login(session, loggedIn, r.statusCode(), r.body());
    }

    public static HubSession logIn(String hubUrl, String user, String password) {
        Login login = attempt(hubUrl, user, password);
        if (!login.loggedIn()) {
            throw new AssertionError("the hub refused " + user + "'s login: HTTP " + login.status() + "\n" + login.page());
        }
        return login.session();
    }

    public String user() {
        return user;
    }

    /** The base URL of this student's own notebook server, behind the hub's proxy. */
    public String serverUrl() {
        return serverUrl(user);
    }

    public String serverUrl(String owner) {
        return hubUrl + "/user/" + owner;
    }

    /**
     * Starts this student's server as the browser does (the hub's spawn page) and waits until the hub reports it
     * ready; a server that stopped meanwhile (idle) is started again through the hub's API. Ends on the server's
     * tree page, which gives the session the server's own cookie.
     *
     * @return how long it took
     */
    public Duration startServer() {
        long started = System.nanoTime();
        get("/hub/spawn");
        await(user + "'s notebook server ready").atMost(START_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode server = hubUser().path("servers").path("");
                    if (server.isMissingNode()) {
                        api("POST", "/hub/api/users/" + user + "/server", "{}");
                        return false;
                    }
                    return server.path("ready").asBoolean();
                });
        HttpResponse<String> tree = get("/user/" + user + "/tree");
        if (tree.statusCode() != 200 || !tree.uri().getPath().equals("/user/" + user + "/tree")) {
            throw new AssertionError(user + "'s server is ready but its tree answered HTTP " + tree.statusCode() + " at " + tree.uri());
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Whether the hub has a server (ready or starting) for this student. */
    public boolean hasServer() {
        return !hubUser().path("servers").path("").isMissingNode();
    }

    /** The hub's model of this student (GET /hub/api/users/NAME). */
    public JsonNode hubUser() {
        return api("GET", "/hub/api/users/" + user, null);
    }

    /** A kernel for a notebook in this student's server. */
    public JupyterKernel kernel(String notebookPath) throws IOException, InterruptedException {
        return JupyterKernel.open(serverUrl(), token(), notebookPath);
    }

    /** GET with this student's cookies, following redirects as a browser does. */
    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(hubUrl + path)).GET(), true);
    }

    /** GET with this student's token instead of cookies. */
    public HttpResponse<String> getWithToken(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "token " + token()).GET(), false);
    }

    /** A token of this student's own, made through the hub with their login (as the hub's Token page does). */
    public synchronized String token() {
        if (token == null) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(hubUrl + "/hub/api/users/" + user + "/tokens"))
                    // The hub accepts a cookie-authenticated API request only from its own pages.
                    .header("Referer", hubUrl + "/hub/token").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"note\": \"integration test\"}")), false);
            if (r.statusCode() != 201 && r.statusCode() != 200) {
                throw new AssertionError("no token for " + user + ": HTTP " + r.statusCode() + " " + r.body());
            }
            token = read(r.body()).get("token").asText();
        }
        return token;
    }

    private JsonNode api(String method, String path, String body) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(hubUrl + path))
                .header("Authorization", "token " + token()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)),
                false);
        if (r.statusCode() >= 300 && r.statusCode() != 400) {
            throw new AssertionError(method + " " + path + " as " + user + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.nullNode() : read(r.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request, boolean followRedirects) {
        HttpClient client = followRedirects ? http
                : HubHttp.client().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
        try {
            return client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
