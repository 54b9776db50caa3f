package io.github.cfiddlecluster.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelpfulSuggestionsTest {
    private final DeployConfig config = DeployConfig.builder().build();

    private String say(DeployException e) {
        return HelpfulSuggestions.forFailure(e, config);
    }

    @Test
    void eachFailureSaysWhatToDo() {
        assertThat(say(new DeployException.NotSwarmManager("not in a swarm", false))).contains("-Dcfiddle.initSwarm=true");
        assertThat(say(new DeployException.NotSwarmManager("a worker", true))).contains("manager");
        assertThat(say(new DeployException.MissingImages(List.of("a/b:1")))).contains("a/b:1").contains("./mvnw install");
        assertThat(say(new DeployException.NoWorkerNode("none"))).contains("--label-add cfiddle.worker=true");
        assertThat(say(new DeployException.PortInUse(8888, "x"))).contains("-Dcfiddle.port=");
        assertThat(say(new DeployException.NameClash("taken"))).contains("-Dcfiddle.stackName=");
        assertThat(say(new DeployException.EngineUnreachable("down", null))).contains("-Dcfiddle.dockerHost");
        assertThat(say(new DeployException.InvalidConfiguration(List.of("a", "b")))).contains("\n  - a\n  - b");
    }

    @Test
    void aTimeoutShowsTheServicesLastLogLines() {
        String s = say(new DeployException.NotReadyInTime("not ready", "slurmctld", List.of("fatal: x")));
        assertThat(s).contains("cfiddle_slurmctld:\n  fatal: x").contains("-Dcfiddle.timeout=");
    }
}
