package io.github.cfiddlecluster.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.cfiddlecluster.dashboard.auth.HubOAuth;
import io.github.cfiddlecluster.dashboard.auth.Sessions;
import java.io.IOException;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's HTTP side on a real port, with a stand-in for the hub's OAuth endpoints (the real hub is in
 * DashboardIT): who gets in, with what, and what they get.
 */
class DashboardServerTest {
    private static final String PREFIX = "/services/dashboard/";
    private static final String SECRET = "client-secret";
    private final ObjectMapper json = new ObjectMapper();
    private HttpServer hub;
    private DashboardServer dashboard;
    private ClusterMonitor monitor;
    private final HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() throws Exception {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/hub/api/oauth2/token", this::token);
        hub.createContext("/hub/api/user", this::user);
        hub.start();
        URI hubApi = URI.create("http://127.0.0.1:" + hub.getAddress().getPort() + "/hub/api/");
        DashboardSettings settings = new DashboardSettings(0, PREFIX, hubApi, "service-dashboard", SECRET, Set.of("teacher"),
                1, Duration.ofSeconds(1), Duration.ofSeconds(10), "");
        monitor = new ClusterMonitor(Recorded.slurm("sinfo-two-busy.json", "squeue-running-and-pending.json", "sacct-day.json"), Clock.systemUTC());
        monitor.refresh(Duration.ofSeconds(10));
        dashboard = new DashboardServer(settings, monitor, new HubOAuth(hubApi, "service-dashboard", SECRET, PREFIX + "oauth_callback"),
                new Sessions(Clock.systemUTC(), Duration.ofHours(1), Duration.ofMinutes(1)), Clock.systemUTC()).start();
    }

    @AfterEach
    void stop() {
        dashboard.close();
        monitor.close();
        hub.stop(0);
    }

    @Test
    void withoutALoginAPageSendsTheBrowserToTheHubAndJsonSaysHowToLogIn() throws Exception {
        HttpResponse<String> page = get("queue", null);
        assertThat(page.statusCode()).isEqualTo(302);
        String location = page.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/hub/api/oauth2/authorize?");
        Map<String, String> query = query(location);
        assertThat(query).containsEntry("client_id", "service-dashboard").containsEntry("redirect_uri", PREFIX + "oauth_callback")
                .containsEntry("response_type", "code").containsKey("state");

        HttpResponse<String> api = get("api/overview", null);
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.body()).contains("Authorization: token");
        assertThat(get("health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theHubsCodeOpensASessionAndBringsTheStudentBackToThePageTheyAskedFor() throws Exception {
        String state = query(get("history", null).headers().firstValue("Location").orElseThrow()).get("state");
        HttpResponse<String> back = get("oauth_callback?code=alice-code&state=" + state, null);
        assertThat(back.statusCode()).isEqualTo(302);
        assertThat(back.headers().firstValue("Location")).contains(PREFIX + "history");

        HttpResponse<String> page = get("history", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(PREFIX + "webjars/chart.js/").doesNotContain("{{");
        JsonNode overview = json.readTree(get("api/overview", null).body());
        assertThat(overview.at("/viewer/name").asText()).isEqualTo("alice");
        assertThat(overview.at("/viewer/admin").asBoolean()).isFalse();
        assertThat(overview.at("/yours/0/experiment/id").asLong()).as("alice's running job in the recording").isEqualTo(1);
        assertThat(get("api/queue", null).body()).doesNotContain("bob").doesNotContain("student");

        assertThat(get("logout", null).statusCode()).as("a link cannot log out").isEqualTo(405);
        assertThat(postLogout("http://alice.example.org").statusCode()).as("a page of another origin cannot").isEqualTo(403);
        assertThat(postLogout(null).statusCode()).isEqualTo(403);
        assertThat(get("api/overview", null).statusCode()).as("still logged in").isEqualTo(200);

        HttpResponse<String> logout = postLogout("http://127.0.0.1:" + dashboard.port());
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(logout.headers().firstValue("Location")).contains("/hub/logout");
        assertThat(get("api/overview", null).statusCode()).isEqualTo(401);
    }

    @Test
    void onlyATokenThatGrantsAccessToThisServiceIsAccepted() throws Exception {
        assertThat(get("api/overview", "alice-token").statusCode()).as("the service's own OAuth token").isEqualTo(200);
        HttpResponse<String> server = get("api/overview", "alice-server-token");
        assertThat(server.statusCode()).as("alice's notebook server's token").isEqualTo(401);
        assertThat(server.body()).contains("access:services!service=dashboard");
    }

    @Test
    void aCallbackThatThisBrowserDidNotStartOrTheHubDoesNotConfirmIsRefused() throws Exception {
        assertThat(get("oauth_callback?code=alice-code&state=made-up", null).statusCode()).isEqualTo(400);
        String state = query(get("", null).headers().firstValue("Location").orElseThrow()).get("state");
        assertThat(get("oauth_callback?code=wrong-code&state=" + state, null).statusCode()).isEqualTo(403);
        assertThat(get("api/overview", null).statusCode()).isEqualTo(401);
    }

    @Test
    void scriptsUseAHubTokenAndAnAdminSeesEveryone() throws Exception {
        HttpResponse<String> teacher = get("api/overview", "teacher-token");
        assertThat(teacher.statusCode()).isEqualTo(200);
        assertThat(json.readTree(teacher.body()).at("/viewer/admin").asBoolean()).isTrue();
        assertThat(teacher.body()).contains("alice").contains("bob");

        assertThat(get("api/workers", "made-up-token").statusCode()).isEqualTo(401);
        assertThat(get("api/workers", "service-token").statusCode()).as("a service's token is no user").isEqualTo(401);
    }

    @Test
    void whenTheHubDoesNotAnswerTheLoginCheckSaysSo() throws Exception {
        hub.stop(0);
        HttpResponse<String> r = get("api/workers", "teacher-token");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("did not answer the login check");
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + PREFIX + path));
        if (token != null) {
            request.header("Authorization", "token " + token);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A log-out as the page's button sends it, from the given origin (null: no Origin header). */
    private HttpResponse<String> postLogout(String origin) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + PREFIX + "logout"))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            request.header("Origin", origin);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> query(String location) {
        return Arrays.stream(location.substring(location.indexOf('?') + 1).split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }

    /** The hub's token endpoint: one good code, with the client's secret. */
    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = Arrays.stream(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&"))
                .map(p -> p.split("=", 2)).collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
        boolean good = "alice-code".equals(form.get("code")) && SECRET.equals(form.get("client_secret"))
                && (PREFIX + "oauth_callback").equals(form.get("redirect_uri"));
        answer(exchange, good ? 200 : 400, good ? "{\"access_token\": \"alice-token\", \"token_type\": \"Bearer\"}" : "{}");
    }

    /** The hub's "who is this token" endpoint. */
    private void user(HttpExchange exchange) throws IOException {
        String token = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).replace("token ", "");
        switch (token) {
            // The scopes as the hub gives them: the service's OAuth token, a token-page token ("inherit"), and a
            // notebook server's own token, which opens the server but not this service.
            case "alice-token" -> answer(exchange, 200, "{\"kind\": \"user\", \"name\": \"alice\", \"scopes\": "
                    + "[\"access:services!service=dashboard\", \"read:users:name!user=alice\"]}");
            case "teacher-token" -> answer(exchange, 200, "{\"kind\": \"user\", \"name\": \"teacher\", \"scopes\": "
                    + "[\"access:services\", \"access:servers!user=teacher\", \"read:users!user=teacher\"]}");
            case "alice-server-token" -> answer(exchange, 200, "{\"kind\": \"user\", \"name\": \"alice\", \"scopes\": "
                    + "[\"access:servers!server=alice/\", \"read:users:name!user=alice\", \"users:activity!user=alice\"]}");
            case "service-token" -> answer(exchange, 200, "{\"kind\": \"service\", \"name\": \"dashboard\"}");
            default -> answer(exchange, 403, "{}");
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

}
