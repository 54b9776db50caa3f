package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cfiddlecluster.stack.StackNames;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreflightTest {
    private final FakeEngine engine = new FakeEngine();
    private final DeployConfig config = DeployConfig.builder().build();

    private Preflight.Plan check() throws DeployException {
        return new Preflight(engine).check(config);
    }

    @Test
    void aSingleNodeSwarmIsLabelledHeadAndWorker() throws Exception {
        Preflight.Plan plan = check();
        assertThat(plan.initSwarm()).isFalse();
        assertThat(plan.labelsToAdd()).containsOnlyKeys("n1");
        assertThat(plan.labelsToAdd().get("n1")).containsEntry(StackNames.HEAD_LABEL, "true")
                .containsEntry(StackNames.USER_LABEL, "true").containsEntry(StackNames.WORKER_LABEL, "true");
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("single host").contains("head too"));
        assertThat(plan.imageIds()).containsEntry("cluster", "sha256:cluster");
    }

    @Test
    void existingLabelsAreKept() throws Exception {
        engine.nodes.set(0, FakeEngine.node("n1", "vm", true, Map.of(StackNames.HEAD_LABEL, "true")));
        engine.nodes.add(FakeEngine.node("n22", "w1", false, Map.of(StackNames.WORKER_LABEL, "true",
                StackNames.USER_LABEL, "true")));
        Preflight.Plan plan = check();
        assertThat(plan.labelsToAdd()).as("the user node goes where the admin labelled it").isEmpty();
        assertThat(plan.headNodeId()).isEqualTo("n1");
    }

    @Test
    void noEngine() {
        engine.reachable = false;
        assertThatThrownBy(this::check).isInstanceOf(DeployException.EngineUnreachable.class);
    }

    @Test
    void noSwarmUnlessAskedToInitOne() throws Exception {
        engine.swarmState = "inactive";
        assertThatThrownBy(this::check).isInstanceOfSatisfying(DeployException.NotSwarmManager.class,
                e -> assertThat(e.inSwarm()).isFalse());
        Preflight.Plan plan = new Preflight(engine).check(config.toBuilder().initSwarm(true).build());
        assertThat(plan.initSwarm()).isTrue();
        assertThat(engine.calls).isEmpty();
    }

    @Test
    void aSwarmWorkerCannotDeploy() {
        engine.manager = false;
        assertThatThrownBy(this::check).isInstanceOfSatisfying(DeployException.NotSwarmManager.class,
                e -> assertThat(e.inSwarm()).isTrue());
    }

    @Test
    void missingImagesAreNamed() {
        engine.images.remove(config.localImage("sandbox"));
        assertThatThrownBy(this::check).isInstanceOfSatisfying(DeployException.MissingImages.class,
                e -> assertThat(e.images()).containsExactly(config.localImage("sandbox")));
    }

    @Test
    void severalNodesButNoneLabelledWorker() {
        engine.nodes.add(FakeEngine.node("n22", "other", false, Map.of()));
        assertThatThrownBy(this::check).isInstanceOf(DeployException.NoWorkerNode.class)
                .hasMessageContaining("vm, other");
    }

    @Test
    void twoHeads() {
        engine.nodes.set(0, FakeEngine.node("n1", "vm", true, Map.of(StackNames.HEAD_LABEL, "true")));
        engine.nodes.add(FakeEngine.node("n22", "b", false, Map.of(StackNames.HEAD_LABEL, "true")));
        assertThatThrownBy(this::check).isInstanceOf(DeployException.InvalidConfiguration.class)
                .hasMessageContaining("several nodes");
    }

    @Test
    void portTakenByAContainerAServiceOrAProgram() {
        engine.publishing.add(new SwarmEngine.ContainerInfo("c1", "usernode", Map.of()));
        assertThatThrownBy(this::check).isInstanceOf(DeployException.PortInUse.class).hasMessageContaining("usernode");
        engine.publishing.clear();
        engine.services.add(new SwarmEngine.ServiceInfo("s", "jupyter", Map.of(), false, 1, null, null, List.of(8888)));
        assertThatThrownBy(this::check).isInstanceOf(DeployException.PortInUse.class).hasMessageContaining("jupyter");
        engine.services.clear();
        engine.hostPortFree = false;
        assertThatThrownBy(this::check).isInstanceOf(DeployException.PortInUse.class)
                .hasMessageContaining("another program");
    }

    @Test
    void ourOwnNotebookMayHoldThePort() throws Exception {
        engine.deployStack(writeEmptyStack(), "cfiddle", false);
        engine.hostPortFree = false;
        engine.publishing.add(new SwarmEngine.ContainerInfo("c1", "cfiddle_user.1.x",
                Map.of("com.docker.swarm.service.name", "cfiddle_user")));
        check();
    }

    @Test
    void namesTakenByServicesOrNetworksOutsideTheStack() {
        engine.services.add(new SwarmEngine.ServiceInfo("s", "cfiddle_db", Map.of(), false, 1, null, null, List.of()));
        assertThatThrownBy(this::check).isInstanceOf(DeployException.NameClash.class).hasMessageContaining("cfiddle_db");
        engine.services.clear();
        engine.networks.put("cfiddle_cluster", Map.of());
        assertThatThrownBy(this::check).isInstanceOf(DeployException.NameClash.class)
                .hasMessageContaining("cfiddle_cluster");
    }

    @Test
    void badSettingsStopBeforeDockerIsAsked() {
        engine.reachable = false;
        assertThatThrownBy(() -> new Preflight(engine).check(config.toBuilder().cluster(c -> c.workers(-2)).build()))
                .isInstanceOf(DeployException.InvalidConfiguration.class);
    }

    private static java.nio.file.Path writeEmptyStack() throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("stack", ".yml");
        f.toFile().deleteOnExit();
        return f;
    }
}
