package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.DAVE;
import static io.github.cfiddlecluster.it.SharedCluster.TEACHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in the shared cluster, through the hub's proxy as students reach it: logins through the hub's
 * OAuth, the JSON endpoints following real experiments through Slurm, what one student sees of another's, and
 * a controller that does not answer.
 */
@org.junit.jupiter.api.extension.ExtendWith(DashboardLogOnFailure.class)
class DashboardIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private final CfiddleCluster cluster = SharedCluster.get();

    @Test
    void aStudentLogsInThroughTheHubAndGetsTheWorkersOfTheCluster() {
        HubSession alice = cluster.logIn(ALICE);

        HttpResponse<String> page = alice.get("/services/dashboard/");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.uri().getPath()).isEqualTo("/services/dashboard/");
        assertThat(page.body()).contains("cfiddle cluster").doesNotContain("https://");

        // The dashboard's first reading of Slurm comes within its poll interval of its start.
        HttpResponse<String> overview = await("the dashboard's first reading of the workers").atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(500)).until(() -> alice.get("/services/dashboard/api/overview"),
                        r -> r.statusCode() == 200 && read(r.body()).path("workers").size() > 0);
        JsonNode o = read(overview.body());
        assertThat(o.at("/viewer/name").asText()).isEqualTo(ALICE);
        assertThat(o.at("/viewer/admin").asBoolean()).isFalse();
        assertThat(names(o.get("workers"), "name")).containsExactlyInAnyOrderElementsOf(cluster.workerNames());
        // the Chart.js the page loads comes from the dashboard itself
        assertThat(alice.get("/services/dashboard/webjars/chart.js/" + chartJsVersion(page.body()) + "/dist/chart.umd.min.js").statusCode())
                .isEqualTo(200);
    }

    @Test
    void withoutALoginThereIsNothingButTheWayToTheHub() throws Exception {
        HttpClient anonymous = HubHttp.client().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> json = anonymous.send(HttpRequest.newBuilder(URI.create(cluster.dashboardUrl() + "api/overview")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(401);
        assertThat(json.body()).contains("log in");

        HttpResponse<String> page = anonymous.send(HttpRequest.newBuilder(URI.create(cluster.dashboardUrl() + "queue")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).startsWith("/hub/api/oauth2/authorize?")
                .contains("client_id=service-dashboard");

        HttpResponse<String> forged = anonymous.send(HttpRequest.newBuilder(URI.create(cluster.dashboardUrl() + "api/queue"))
                .header("Authorization", "token not-a-token-of-the-hub").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);

        HttpResponse<String> stolenCode = anonymous.send(HttpRequest.newBuilder(URI.create(cluster.dashboardUrl()
                + "oauth_callback?code=guessed&state=guessed")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stolenCode.statusCode()).isEqualTo(400);
    }

    @Test
    void onlyATokenThatGrantsTheDashboardGetsInNotTheOneAStudentsServerHolds() throws Exception {
        HubSession dave = cluster.logIn(DAVE);
        dave.startServer();
        // The token a student's server holds: any page or kernel of that server can read it.
        String serverToken;
        try (JupyterKernel kernel = dave.kernel("dashboard-token.ipynb")) {
            serverToken = kernel.execute("import os; print(os.environ['JUPYTERHUB_API_TOKEN'])", DEADLINE).joined().strip();
        }
        assertThat(serverToken).isNotEmpty();
        HttpResponse<String> byServerToken = withToken(serverToken);
        assertThat(byServerToken.statusCode()).as(byServerToken.body()).isEqualTo(401);
        assertThat(byServerToken.body()).contains("access:services!service=dashboard");

        // A token of the hub's Token page (its default scopes, the account's own) is for scripts, and works.
        HttpResponse<String> byPersonalToken = withToken(dave.token());
        assertThat(byPersonalToken.statusCode()).as(byPersonalToken.body()).isEqualTo(200);
        assertThat(read(byPersonalToken.body()).at("/viewer/name").asText()).isEqualTo(DAVE);
    }

    private HttpResponse<String> withToken(String token) throws IOException, InterruptedException {
        return HubHttp.client().build().send(HttpRequest.newBuilder(URI.create(cluster.dashboardUrl() + "api/overview"))
                .header("Authorization", "token " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void experimentsShowRunningThenWaitingThenDoneAndStudentsSeeOnlyTheirOwnDetails() {
        HubSession teacher = cluster.logIn(TEACHER);
        HubSession alice = cluster.logIn(ALICE);
        String overview = cluster.dashboardUrl() + "api/overview";
        await("the workers idle in the dashboard").atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> names(read(teacher.getWithToken(overview).body()).get("workers"), "state"), s -> s.stream().allMatch("idle"::equals));
        int aliceBefore = totalOf(read(teacher.getWithToken(overview).body()), ALICE);

        // three students, two workers, one experiment each that keeps its worker busy for 8 s: one must wait
        List<CompletableFuture<String>> runs = new ArrayList<>();
        for (String user : List.of(ALICE, BOB, DAVE)) {
            runs.add(CompletableFuture.supplyAsync(() -> cluster.python(user, "experiments/busy_experiments.py", "1", "8000", "dashboard-it")));
        }
        try {
            JsonNode busy = await("two experiments running and one waiting, in the dashboard").atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> read(teacher.getWithToken(overview).body()),
                            o -> names(o.get("queue"), "state").equals(List.of("RUNNING", "RUNNING", "PENDING")));
            assertThat(names(busy.get("workers"), "state")).containsOnly("running");
            JsonNode waiting = busy.get("queue").get(2);
            assertThat(waiting.get("position").asInt()).isEqualTo(1);
            assertThat(waiting.get("estimatedStart").isNull()).as("a worker will take it: it has an estimate").isFalse();
            assertThat(names(busy.get("queue"), "/experiment/user")).containsExactlyInAnyOrder(ALICE, BOB, DAVE);

            // alice: her own experiment with its details, the others' as load only
            HttpResponse<String> asAlice = alice.getWithToken(overview);
            JsonNode mine = read(asAlice.body());
            // first the experiment in the queue, then the ones the controller still holds as ended
            assertThat(mine.at("/yours/0/experiment/user").asText()).isEqualTo(ALICE);
            assertThat(mine.at("/yours/0/state").asText()).isIn("RUNNING", "PENDING");
            assertThat(names(mine.get("yours"), "state").stream().filter(s -> s.equals("RUNNING") || s.equals("PENDING")))
                    .hasSize(1);
            assertThat(mine.get("queue")).hasSize(3);
            assertThat(asAlice.body()).doesNotContain(BOB).doesNotContain(DAVE);
            for (String part : List.of("workers", "queue", "history")) {
                HttpResponse<String> r = alice.getWithToken(cluster.dashboardUrl() + "api/" + part);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).doesNotContain(BOB).doesNotContain(DAVE);
            }
        } finally {
            runs.forEach(CompletableFuture::join);
        }

        JsonNode after = await("the workers idle again and the experiments in the history").atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(250)).until(() -> read(teacher.getWithToken(overview).body()),
                        o -> names(o.get("workers"), "state").stream().allMatch("idle"::equals) && totalOf(o, ALICE) > aliceBefore);
        assertThat(names(after.get("queue"), "state")).isEmpty();
        JsonNode alicesView = read(alice.getWithToken(overview).body());
        assertThat(names(alicesView.get("yours"), "state")).contains("COMPLETED");
        assertThat(names(alicesView.at("/history/users"), "user")).containsExactly(ALICE);
    }

    @Test
    void aControllerThatDoesNotAnswerIsSaidAndTheDashboardRecoversByItself() {
        HubSession alice = cluster.logIn(ALICE);
        String workers = cluster.dashboardUrl() + "api/workers";
        cluster.pauseController();
        try {
            JsonNode down = await("the dashboard saying Slurm does not answer").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                    .until(() -> read(alice.getWithToken(workers).body()), o -> o.has("slurm") && !o.at("/slurm/available").asBoolean());
            assertThat(down.at("/slurm/problem").asText()).isNotBlank();
            assertThat(down.at("/slurm/unavailableSince").isNull()).isFalse();
            assertThat(down.get("workers")).as("the last reading, still shown").hasSize(cluster.workerNames().size());
        } finally {
            cluster.unpauseController();
        }
        await("the dashboard reading Slurm again").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> read(alice.getWithToken(workers).body()).at("/slurm/available").asBoolean());
        cluster.awaitWorkersIdle();
    }

    private static int totalOf(JsonNode overview, String user) {
        for (JsonNode u : overview.at("/history/users")) {
            if (user.equals(u.get("user").asText())) {
                return u.get("experiments").asInt();
            }
        }
        return 0;
    }

    private static List<String> names(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(n -> field.startsWith("/") ? n.at(field).asText() : n.path(field).asText()).toList();
    }

    private static String chartJsVersion(String page) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("webjars/chart\\.js/([^/]+)/").matcher(page);
        assertThat(m.find()).as("the page loads Chart.js from the dashboard").isTrue();
        return m.group(1);
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(body, e);
        }
    }
}
