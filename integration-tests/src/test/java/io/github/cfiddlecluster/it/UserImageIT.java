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
    void jupyterAnswersItsRestApiWithTheToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(URI.create(CLUSTER.jupyterUrl() + "/api/status"))
                .header("Authorization", "token " + CLUSTER.jupyterToken()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> without = http.send(HttpRequest.newBuilder(URI.create(CLUSTER.jupyterUrl() + "/api/contents"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withToken.body()).contains("\"started\"");
        assertThat(without.statusCode()).isEqualTo(403);
    }

    @Test
    void cfiddleBuildsAndRunsLocallyAsTheNotebookUser() {
        long lastJob = CLUSTER.lastJobId();
        JsonNode result = ScriptResult.parse(CLUSTER.python(CfiddleCluster.NOTEBOOK_USER, "experiments/sweep.py", "--local"));
        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
        assertThat(CLUSTER.lastJobId()).as("a local run submits no job").isEqualTo(lastJob);
    }

    @Test
    void theNotebookUserIsNotRoot() {
        assertThat(CLUSTER.userNodeExec(CfiddleCluster.NOTEBOOK_USER, "id", "-u").getStdout().strip())
                .isEqualTo(String.valueOf(CfiddleCluster.NOTEBOOK_UID));
        assertThat(CLUSTER.userNodeExec("root", "sh", "-c",
                "ps -eo user:20,args | awk '/[j]upyter-notebook/ {print $1}' | sort -u").getStdout().strip())
                .isEqualTo(CfiddleCluster.NOTEBOOK_USER);
    }
}
