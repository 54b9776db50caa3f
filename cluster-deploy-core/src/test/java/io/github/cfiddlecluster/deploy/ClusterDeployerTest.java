package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cfiddlecluster.stack.StackNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterDeployerTest {
    @TempDir Path dir;
    private final FakeEngine engine = new FakeEngine();
    private final FakeTime time = new FakeTime();
    private final ClusterDeployer deployer =
            new ClusterDeployer(engine, DeployLog.SILENT, new ClusterSecrets(new Random(1)), time, time);

    private DeployConfig config() {
        return DeployConfig.builder().outputDirectory(dir).timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void firstDeployLabelsCreatesSecretsDeploysAndWaits() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        ClusterDeployer.DeployResult result = deployer.deploy(config());
        assertThat(engine.changes()).containsExactly(
                "label n1 {cfiddle.head=true, cfiddle.user=true, cfiddle.worker=true}",
                "createSecret cfiddle_munge_key", "createSecret cfiddle_db_password", "createSecret cfiddle_dashboard_oauth",
                "deployStack cfiddle");
        assertThat(engine.secretData.get("cfiddle_munge_key")).hasSize(1024);
        assertThat(engine.secrets.get("cfiddle_munge_key")).containsEntry(StackNames.OWNER_LABEL, "cfiddle");
        assertThat(result.workers()).containsExactly("vm-worker");
        assertThat(result.createdSecrets()).containsExactly("munge_key", "db_password", "dashboard_oauth");
        assertThat(new String(engine.secretData.get("cfiddle_dashboard_oauth"), java.nio.charset.StandardCharsets.US_ASCII))
                .as("the hub's service token for the dashboard").matches("[A-Za-z0-9]{32}");
        assertThat(result.hubUrl()).isEqualTo("http://localhost:8888/");
        assertThat(Files.readString(result.stackFile())).contains(config().localImage("cluster"))
                .contains("io.github.cfiddle-cluster.image-id: sha256:cluster");
    }

    @Test
    void aSecondDeployKeepsSecretsAndLabels() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        deployer.deploy(config());
        engine.calls.clear();
        ClusterDeployer.DeployResult again = deployer.deploy(config());
        assertThat(engine.changes()).containsExactly("deployStack cfiddle");
        assertThat(again.createdSecrets()).isEmpty();
    }

    @Test
    void passwordsBecomeASecretNamedAfterTheirContentAndAreKeptWhenNoFileIsGiven() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        Path passwords = Files.writeString(dir.resolve("passwords"), "student:" + HASH + "\n");
        deployer.deploy(config().toBuilder().passwordsFile(passwords).build());
        String first = passwordSecrets().get(0);
        assertThat(first).startsWith("cfiddle_passwords_").hasSize("cfiddle_passwords_".length() + 12);
        assertThat(engine.secrets.get(first)).containsEntry(StackNames.OWNER_LABEL, "cfiddle");

        Files.writeString(passwords, "student:" + HASH.replace("abc", "xyz") + "\n");
        ClusterDeployer.DeployResult changed = deployer.deploy(config().toBuilder().passwordsFile(passwords).build());
        assertThat(passwordSecrets()).hasSize(1).doesNotContain(first);
        assertThat(Files.readString(changed.stackFile())).contains(passwordSecrets().get(0)).doesNotContain(HASH);

        ClusterDeployer.DeployResult kept = deployer.deploy(config());
        assertThat(Files.readString(kept.stackFile())).contains(passwordSecrets().get(0));
    }

    private static final String HASH = "$6$abcdefgh$abcdefghijklmnopqrstuvwxyz0123456789./ABCDEF";

    private List<String> passwordSecrets() {
        return engine.secrets.keySet().stream().filter(n -> n.startsWith("cfiddle_passwords_")).toList();
    }

    @Test
    void aUsersFileBecomesAConfigNamedAfterItsContent() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        Path users = Files.writeString(dir.resolve("users"), "student:1000:1000\n");
        deployer.deploy(config().toBuilder().usersFile(users).build());
        String first = engine.configs().get(0);
        assertThat(first).startsWith("cfiddle_users_").hasSize("cfiddle_users_".length() + 12);

        Files.writeString(users, "student:1000:1000\nalice:1001:1001\n");
        deployer.deploy(config().toBuilder().usersFile(users).build());
        assertThat(engine.configs()).hasSize(1).doesNotContain(first);
        assertThat(engine.calls).contains("removeConfig " + first);
    }

    @Test
    void singleHostReplicasAreNamedBySlotAndStaleSlurmNodesAreForgotten() throws Exception {
        engine.slurmNodes = List.of("worker-1 idle", "worker-2 idle", "vm-worker down+NOT_RESPONDING");
        ClusterDeployer.DeployResult result = deployer.deploy(config().toBuilder().cluster(c -> c.workers(2)).build());
        assertThat(result.workers()).containsExactly("worker-1", "worker-2");
        assertThat(engine.calls).anySatisfy(c -> assertThat(c).endsWith("scontrol delete nodename=vm-worker"));
    }

    @Test
    void switchingBetweenGlobalAndReplicatedWorkersReplacesTheService() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle", "worker-1 idle");
        deployer.deploy(config());
        engine.calls.clear();
        deployer.deploy(config().toBuilder().cluster(c -> c.workers(1)).build());
        assertThat(engine.changes()).containsExactly("removeService cfiddle_worker", "deployStack cfiddle");
    }

    @Test
    void aFailedCheckCreatesNothing() {
        engine.images.clear();
        assertThatThrownBy(() -> deployer.deploy(config())).isInstanceOf(DeployException.MissingImages.class);
        assertThat(engine.changes()).isEmpty();
    }

    @Test
    void givesUpAtTheDeadlineNamingTheFirstServiceNotUpWithItsLogs() {
        engine.stackComesUp = false;
        assertThatThrownBy(() -> deployer.deploy(config())).isInstanceOfSatisfying(
                DeployException.NotReadyInTime.class, e -> {
                    assertThat(e.service()).isEqualTo("db");
                    assertThat(e.logTail()).containsExactly("cfiddle_db: last words");
                    assertThat(e.getMessage()).contains("not ready after 30 s").contains("db 0/1 (starting)");
                });
        assertThat(time.slept).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void workersThatNeverGoIdleAreReported() {
        engine.slurmNodes = List.of("vm-worker down");
        assertThatThrownBy(() -> deployer.deploy(config())).isInstanceOfSatisfying(
                DeployException.NotReadyInTime.class, e -> {
                    assertThat(e.service()).isEqualTo("worker");
                    assertThat(e.getMessage()).contains("workers ready 0/1 (vm-worker down)");
                });
    }

    @Test
    void undeployKeepsVolumesAndSecretsUnlessPurged() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        deployer.deploy(config());
        engine.volumes.addAll(List.of("cfiddle_homes"));
        engine.calls.clear();
        deployer.undeploy(config());
        assertThat(engine.changes()).containsExactly("removeStack cfiddle");

        deployer.undeploy(config().toBuilder().purge(true).build());
        assertThat(engine.changes()).contains("removeVolume cfiddle_homes", "removeSecret cfiddle_munge_key",
                "removeSecret cfiddle_db_password");
        assertThat(engine.secrets).isEmpty();
    }

    @Test
    void statusShowsNodesServicesQueueAndJobs() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        deployer.deploy(config());
        List<String> status = deployer.status(config());
        assertThat(status).anySatisfy(l -> assertThat(l).contains("vm").contains("head,user,worker")
                .contains("slurm: vm-worker=idle"));
        assertThat(status).anySatisfy(l -> assertThat(l).contains("worker").contains("1/1 ready"));
        assertThat(status).contains("Queue (squeue):");
        assertThat(status).contains("Notebook servers per user (JupyterHub):");
    }

    @Test
    void runningNotebookServersAreListedPerUser() {
        assertThat(HubServers.describe("root 300 80000 /usr/bin/python3 /usr/bin/jupyterhub --config=x\n"
                + "alice 600 102400 /usr/bin/python3 /usr/bin/jupyterhub-singleuser --NotebookApp.x=1\n"
                + "bob 30 98304 /usr/bin/python3 /usr/bin/jupyterhub-singleuser\n"))
                .containsExactly("  alice                up 10 min    100 MB", "  bob                  up 30 s       96 MB");
        assertThat(HubServers.describe("root 1 1 /sbin/tini\n")).containsExactly("  (none)");
    }

    @Test
    void runsCommandsInAServicesTaskContainer() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        deployer.deploy(config());
        SwarmEngine.ExecResult r = deployer.exec(config(), StackNames.USER, List.of("python3", "-c", "1"), "student",
                "/home/student");
        assertThat(r.ok()).isTrue();
        assertThat(engine.calls).contains("exec c-cfiddle_user1 python3 -c 1 as student");
    }

    @Test
    void runsCommandsInATaskWhoseHealthcheckHasNotPassedYet() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        deployer.deploy(config());
        engine.taskState = "starting"; // e.g. a controller just restarted: it answers, swarm does not count it yet
        assertThat(deployer.exec(config(), StackNames.CONTROLLER, List.of("date"), "root", "/").ok()).isTrue();
        assertThat(engine.calls).contains("exec c-cfiddle_slurmctld1 date as root");
    }

    @Test
    void theClusterRegistryIsStartedAndFilledBeforeTheStackWhichNamesImagesByDigestOnTheHead() throws Exception {
        engine.slurmNodes = List.of("vm-worker idle");
        engine.images.put(config().localImage(ClusterRegistry.IMAGE_ROLE), "sha256:registry");
        DeployConfig config = config().toBuilder().clusterRegistry(true).clusterRegistryPort(5100).build();

        ClusterDeployer.DeployResult result = deployer.deploy(config);

        assertThat(engine.changes()).containsSubsequence("deployStack cfiddle-registry",
                "push 127.0.0.1:5101/" + config().localImage("cluster"), "push 127.0.0.1:5101/" + config().localImage("user"),
                "push 127.0.0.1:5101/" + config().localImage("sandbox"), "push 127.0.0.1:5101/" + config().localImage("dashboard"),
                "deployStack cfiddle");
        String head = engine.nodes.get(0).address() + ":5100";
        assertThat(Files.readString(result.stackFile()))
                .contains("image: " + head + "/cfiddle-cluster/cluster@sha256:")
                .contains("image: " + head + "/cfiddle-cluster/user@sha256:")
                .contains("CFIDDLE_SANDBOX_IMAGE: " + head + "/cfiddle-cluster/sandbox@sha256:")
                .contains("image: " + head + "/cfiddle-cluster/dashboard@sha256:");
        assertThat(Files.readString(dir.resolve("cfiddle-registry-stack.yml"))).contains("127.0.0.1:5101");

        deployer.undeploy(config);
        assertThat(engine.changes()).contains("removeStack cfiddle", "removeStack cfiddle-registry");
    }

    @Test
    void theClusterRegistryNeedsItsImageAndTheHeadsEngineAndIsNoExternalRegistry() {
        DeployConfig config = config().toBuilder().clusterRegistry(true).build();
        assertThatThrownBy(() -> deployer.deploy(config)).isInstanceOf(DeployException.MissingImages.class)
                .hasMessageContaining(config().localImage(ClusterRegistry.IMAGE_ROLE));

        engine.images.put(config().localImage(ClusterRegistry.IMAGE_ROLE), "sha256:registry");
        engine.nodes.add(FakeEngine.node("n2", "head-host", true, java.util.Map.of(StackNames.HEAD_LABEL, "true")));
        assertThatThrownBy(() -> deployer.deploy(config)).isInstanceOf(DeployException.InvalidConfiguration.class)
                .hasMessageContaining("head-host").hasMessageContaining("cfiddle.dockerHost");

        assertThatThrownBy(() -> deployer.deploy(config.toBuilder().registry("registry.example.org:5000").build()))
                .isInstanceOf(DeployException.InvalidConfiguration.class).hasMessageContaining("set one");
        assertThat(engine.changes()).isEmpty();
    }
}
