package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.TaskSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of the docker-java adapter that need no engine. */
class DockerModelsTest {
    @Test
    void aTaskIsUpToDateDespiteDefaultsTheEngineAddsToTheService() {
        TaskSpec service = new TaskSpec().withContainerSpec(new ContainerSpec().withImage("c:1")
                .withLabels(Map.of("id", "a")).withEnv(List.of("A=1")).withStopGracePeriod(10_000_000_000L));
        TaskSpec task = new TaskSpec().withContainerSpec(new ContainerSpec().withImage("c:1")
                .withLabels(Map.of("id", "a")).withEnv(List.of("A=1")));
        assertThat(DockerModels.sameContainer(service, task)).isTrue();
        TaskSpec rebuilt = new TaskSpec().withContainerSpec(new ContainerSpec().withImage("c:1")
                .withLabels(Map.of("id", "b")).withEnv(List.of("A=1")));
        assertThat(DockerModels.sameContainer(service, rebuilt)).isFalse();
    }
}
