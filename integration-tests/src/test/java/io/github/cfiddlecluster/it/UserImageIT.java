package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The user node's own features (in the shared test cluster, since the node needs the cluster's key). */
class UserImageIT {
    private static final CfiddleCluster CLUSTER = SharedCluster.get();

    @Test
    void theHubAnswersAndServesNothingWithoutALogin() throws Exception {
        HttpClient http = HubHttp.client().build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(CLUSTER.hubUrl() + "/hub/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> users = http.send(HttpRequest.newBuilder(URI.create(CLUSTER.hubUrl() + "/hub/api/users")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> server = http.send(HttpRequest.newBuilder(URI.create(CLUSTER.hubUrl() + "/user/student/lab")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(users.statusCode()).isEqualTo(403);
        assertThat(server.statusCode()).isEqualTo(302);
        assertThat(server.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("/hub/"));
    }

    @Test
    void cfiddleBuildsAndRunsLocallyAsAStudent() {
        long lastJob = CLUSTER.lastJobId();
        JsonNode result = ScriptResult.parse(CLUSTER.python(CfiddleCluster.STUDENT, "experiments/sweep.py", "--local"));
        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
        assertThat(CLUSTER.lastJobId()).as("a local run submits no job").isEqualTo(lastJob);
    }

    @Test
    void passwordsAndKeysAreOnlyReadableByRootOrMunge() {
        assertThat(CLUSTER.userNodeExec("root", "stat", "-c", "%U %a", "/run/secrets/passwords", "/etc/shadow",
                "/etc/munge/munge.key", "/var/lib/jupyterhub").getStdout().lines().toList())
                .containsExactly("root 400", "root 640", "munge 400", "root 700");
        assertThat(CLUSTER.userNodeExec(CfiddleCluster.STUDENT, "cat", "/run/secrets/passwords").getExitCode()).isNotZero();
    }
}
