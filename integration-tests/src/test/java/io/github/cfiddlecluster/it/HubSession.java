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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One student in JupyterHub, over real HTTP as a browser does it: the login form, the hub's cookies, the spawn
 * page, redirects between the hub's origin and the student's own (NAME.localhost), cookies kept per origin as a
 * browser keeps them, and the hub's XSRF token on every cookie-authenticated change; then a token of their own
 * (made through the hub with their login) for the REST and kernel calls.
 */
public final class HubSession {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_DEADLINE = Duration.ofMinutes(2);
    private static final String LOGIN_COOKIE = "jupyterhub-hub-login";
    /** The login form's hidden field, and what the hub's pages give their scripts (window.jhdata). */
    private static final Pattern LOGIN_FORM_XSRF = Pattern.compile("name=\"_xsrf\"\\s+value=\"([^\"]+)\"");
    private static final Pattern SINGLE_LABEL_DOMAIN = Pattern.compile("(?i);\\s*Domain=localhost(?=;|$)");
    private static final Pattern PAGE_SCRIPT_XSRF = Pattern.compile("xsrf_token:\\s*\"([^\"]+)\"");
    private static final int MAX_REDIRECTS = 20;

    private final String hubUrl;
    private final String user;
    /** Keyed by the URL the browser would use (NAME.localhost), not where the JVM connects (localhost). */
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HubHttp.client().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private String token;

    private HubSession(String hubUrl, String user) {
        this.hubUrl = hubUrl;
        this.user = user;
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
        // The form carries the hub's XSRF token, as the login page's form does.
        form += "&_xsrf=" + URLEncoder.encode(xsrfToken(session.get("/hub/login"), LOGIN_FORM_XSRF), StandardCharsets.UTF_8);
        HttpResponse<String> r = session.send("POST", URI.create(hubUrl + "/hub/login"),
                b -> b.header("Content-Type", "application/x-www-form-urlencoded"), form, false);
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

    /** The base URL of this student's own notebook server, behind the hub's proxy, on its own origin. */
    public String serverUrl() {
        return serverUrl(user);
    }

    public String serverUrl(String owner) {
        return HubHttp.subdomainUrl(hubUrl, owner) + "/user/" + owner;
    }

    /**
     * Starts this student's server as the browser does (the hub's spawn page) and waits until the hub reports it
     * ready; a server that stopped meanwhile (idle) is started again through the hub's API. Ends on the server's
     * JupyterLab page, which gives the session the server's own cookie (on the server's origin).
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
        HttpResponse<String> lab = get("/user/" + user + "/lab");
        if (lab.statusCode() != 200 || !lab.uri().getPath().equals("/user/" + user + "/lab")) {
            throw new AssertionError(user + "'s server is ready but its JupyterLab page answered HTTP " + lab.statusCode()
                    + " at " + lab.uri());
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

    /** Saves a text file in this student's home through their server's contents API (as JupyterLab saves). */
    public void saveFile(String path, String text) {
        String body = JSON.createObjectNode().put("type", "file").put("format", "text").put("content", text).toString();
        HttpResponse<String> r = send("PUT", URI.create(serverUrl() + "/api/contents/" + path),
                b -> b.header("Authorization", "token " + token()).header("Content-Type", "application/json"), body, false);
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new AssertionError(user + " could not save " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** The names of the files in this student's home, as their server lists them. */
    public List<String> homeListing() {
        JsonNode listing = read(getWithToken(serverUrl() + "/api/contents").body()).path("content");
        List<String> names = new ArrayList<>();
        listing.forEach(f -> names.add(f.path("name").asText()));
        return names;
    }

    /** The notes of this student's hub tokens (GET /hub/api/users/NAME/tokens). */
    public List<String> tokenNotes() {
        List<String> notes = new ArrayList<>();
        api("GET", "/hub/api/users/" + user + "/tokens", null).path("api_tokens").forEach(t -> notes.add(t.path("note").asText()));
        return notes;
    }

    /** A kernel for a notebook in this student's server. */
    public JupyterKernel kernel(String notebookPath) throws IOException, InterruptedException {
        return JupyterKernel.open(serverUrl(), token(), notebookPath);
    }

    /** GET of a path on the hub's origin with this student's cookies, following redirects as a browser does. */
    public HttpResponse<String> get(String path) {
        return getUrl(hubUrl + path);
    }

    /** GET of any URL (e.g. a server's own origin) with this student's cookies, following redirects. */
    public HttpResponse<String> getUrl(String url) {
        return send("GET", URI.create(url), b -> b, null, true);
    }

    /** GET with this student's token instead of cookies. */
    public HttpResponse<String> getWithToken(String url) {
        return send("GET", URI.create(url), b -> b.header("Authorization", "token " + token()), null, false);
    }

    /**
     * A request with this student's cookies only, as a page's script or a form of another origin could make it:
     * no XSRF token, nothing followed.
     */
    public HttpResponse<String> withCookiesOnly(String method, String url, String jsonBody) {
        return send(method, URI.create(url), b -> b.header("Content-Type", "application/json"), jsonBody, false);
    }

    /** The hub's XSRF token as one of its pages carries it (for the page's form or script to send back). */
    private static String xsrfToken(HttpResponse<String> page, Pattern where) {
        Matcher m = where.matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no XSRF token in the hub's page " + page.uri() + " (HTTP " + page.statusCode() + ")");
        }
        return m.group(1);
    }

    /** A token of this student's own, made through the hub with their login (as the hub's Token page does). */
    public synchronized String token() {
        if (token == null) {
            // The hub accepts a cookie-authenticated change only with its XSRF token (its token page sends it).
            String xsrf = xsrfToken(get("/hub/token"), PAGE_SCRIPT_XSRF);
            HttpResponse<String> r = send("POST", URI.create(hubUrl + "/hub/api/users/" + user + "/tokens"),
                    b -> b.header("X-XSRFToken", xsrf).header("Content-Type", "application/json"),
                    "{\"note\": \"integration test\"}", false);
            if (r.statusCode() != 201 && r.statusCode() != 200) {
                throw new AssertionError("no token for " + user + ": HTTP " + r.statusCode() + " " + r.body());
            }
            token = read(r.body()).get("token").asText();
        }
        return token;
    }

    private JsonNode api(String method, String path, String body) {
        HttpResponse<String> r = send(method, URI.create(hubUrl + path),
                b -> b.header("Authorization", "token " + token()).header("Content-Type", "application/json"), body, false);
        if (r.statusCode() >= 300 && r.statusCode() != 400) {
            throw new AssertionError(method + " " + path + " as " + user + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.nullNode() : read(r.body());
    }

    /**
     * One request (and, if asked, the redirects after it, as a browser follows them: 301-303 become a GET), each
     * with the cookies of its URL's origin; the answer's cookies are kept under that URL.
     */
    private HttpResponse<String> send(String method, URI uri, UnaryOperator<HttpRequest.Builder> shape, String body,
            boolean followRedirects) {
        try {
            for (int hop = 0; ; hop++) {
                HttpRequest.Builder request = shape.apply(HubHttp.request(uri)).timeout(Duration.ofSeconds(60))
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
                List<String> sent = cookies.get(uri, Map.of()).getOrDefault("Cookie", List.of());
                if (!sent.isEmpty()) {
                    request.header("Cookie", String.join("; ", sent));
                }
                HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                cookies.put(uri, storable(r.headers().map()));
                var location = r.headers().firstValue("Location");
                if (!followRedirects || r.statusCode() < 300 || r.statusCode() > 308 || location.isEmpty()) {
                    return r;
                }
                if (hop == MAX_REDIRECTS) {
                    throw new AssertionError("more than " + MAX_REDIRECTS + " redirects from " + uri);
                }
                uri = uri.resolve(location.get());
                if (r.statusCode() <= 303) {
                    method = "GET";
                    body = null;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answer's headers with every {@code Domain=localhost} cookie attribute dropped: the hub sets its session id
     * cookie for its whole domain, which browsers accept and the JDK's cookie store refuses for a domain without a
     * dot (RFC 2965), losing the session id the hub's XSRF tokens are bound to. Kept for localhost alone, the hub
     * gets it back; the students' servers never need it.
     */
    private static Map<String, List<String>> storable(Map<String, List<String>> headers) {
        Map<String, List<String>> kept = new java.util.HashMap<>(headers);
        headers.forEach((name, values) -> {
            if (name.equalsIgnoreCase("set-cookie")) {
                kept.put(name, values.stream().map(v -> SINGLE_LABEL_DOMAIN.matcher(v).replaceAll("")).toList());
            }
        });
        return kept;
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
