package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.LocalNodeState;
import com.github.dockerjava.api.model.Task;
import io.github.cfiddlecluster.deploy.ClusterDeployer;
import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import io.github.cfiddlecluster.deploy.DeployLog;
import io.github.cfiddlecluster.deploy.DockerJavaEngine;
import io.github.cfiddlecluster.deploy.SwarmEngine;
import io.github.cfiddlecluster.slurm.CommandRunner;
import io.github.cfiddlecluster.slurm.SlurmCommands;
import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.stack.ClusterSettings;
import io.github.cfiddlecluster.stack.ServiceLimits;
import io.github.cfiddlecluster.stack.StackNames;
import io.github.cfiddlecluster.it.OperatorMaven.Run;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

/**
 * The operator's commands, run as the operator runs them ({@code ./mvnw cfiddle:deploy} and friends, in this
 * project, with the plugin this build installed) against a real single-node swarm on this host's engine.
 */
@TestMethodOrder(OrderAnnotation.class)
class DeployIT {
    private static final String STACK = "cfit";
    private static final Path PROJECT = OperatorMaven.PROJECT;
    private static final OperatorMaven OPERATOR = new OperatorMaven(STACK);
    private static final DockerClient DOCKER = DockerClientFactory.instance().client();
    private static final String STUDENT = CfiddleCluster.STUDENT;
    private static final String PASSWORD = "first-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    /** Not the default, in every deploy of this cluster: the setting must reach the deployed user node. */
    private static final int USER_NODE_PROCESSES = 12000;
    private static int port;
    private static boolean swarmCreatedHere;
    private static Path passwordsFile;
    private static HubSession student;

    @BeforeAll
    static void needsTheInstalledPluginAFreePortAndPasswords(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path plugin = Path.of(System.getProperty("cfiddle.localRepository", System.getProperty("user.home") + "/.m2/repository"),
                "io/github/cfiddle-cluster/cfiddle-maven-plugin", System.getProperty("cfiddle.version", "0.1.0-SNAPSHOT"));
        assertThat(plugin).as("DeployIT runs ./mvnw cfiddle:deploy with the plugin this build installed (maven-invoker-plugin"
                + " install, in the plugin module's pre-integration-test phase): run the whole build, e.g. ./mvnw verify").isDirectory();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        swarmCreatedHere = swarmState() != LocalNodeState.ACTIVE;
        passwordsFile = Files.write(dir.resolve("passwords"), PasswordHashes.file(Map.of(STUDENT, PASSWORD)));
    }

    @AfterAll
    static void removeEverything() {
        mvn("cfiddle:undeploy", "-Dcfiddle.purge=true");
        if (swarmCreatedHere && swarmState() == LocalNodeState.ACTIVE) {
            DOCKER.leaveSwarmCmd().withForceEnabled(true).exec();
        }
    }

    @Test
    @Order(1)
    void badConfigurationsStopBeforeAnythingIsCreated() throws IOException {
        if (swarmState() != LocalNodeState.ACTIVE) {
            assertFailsCreatingNothing(deploy(), "swarm");
        }
        assertFailsCreatingNothing(deploy("-Dcfiddle.initSwarm=true", "-Dcfiddle.image.tag=no-such-tag"), "no-such-tag");
        assertFailsCreatingNothing(deploy("-Dcfiddle.initSwarm=true", "-Dcfiddle.workers=-1"), "cfiddle.workers");
        Path plainText = Files.writeString(passwordsFile.resolveSibling("plain"), STUDENT + ":" + PASSWORD + "\n");
        Run refused = deploy("-Dcfiddle.initSwarm=true", "-Dcfiddle.passwordsFile=" + plainText);
        assertFailsCreatingNothing(refused, plainText + " line 1");
        assertThat(refused.output()).contains("not a crypt hash").doesNotContain(PASSWORD);
        try (ServerSocket taken = new ServerSocket(0)) {
            assertFailsCreatingNothing(deploy("-Dcfiddle.initSwarm=true", "-Dcfiddle.port=" + taken.getLocalPort()),
                    String.valueOf(taken.getLocalPort()));
        }
    }

    @Test
    @Order(2)
    void deployWaitsUntilTheClusterRunsExperiments() {
        Run run = deploy("-Dcfiddle.initSwarm=true", "-Dcfiddle.workers=2", "-Dcfiddle.passwordsFile=" + passwordsFile);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("is ready").contains("JupyterHub: " + hubUrl() + "/")
                .doesNotContain("token=").doesNotContain(PASSWORD).doesNotContain("$6$");
        student = HubSession.logIn(hubUrl(), STUDENT, PASSWORD);
        student.startServer();
        assertThat(slurmNodes()).hasEntrySatisfying("worker-1", n -> assertThat(n.idle()).as(n.describe()).isTrue())
                .hasEntrySatisfying("worker-2", n -> assertThat(n.idle()).as(n.describe()).isTrue());

        String userContainer = taskContainer("user");
        DOCKER.copyArchiveToContainerCmd(userContainer)
                .withHostResource(PROJECT.resolve("integration-tests/target/test-classes/experiments").toString())
                .withRemotePath("/opt").exec();
        JsonNode result = ScriptResult.parse(exec("user", "student", "python3", "/opt/experiments/sweep.py"));
        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
        await("the job in accounting").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> slurm().accounting("now-1days"), jobs -> jobs.stream()
                        .anyMatch(j -> j.user().equals("student") && j.state().equals("COMPLETED")));

        // every service's container has its process limit, from the stack as deployed (the user node's as set)
        ClusterSettings deployed = ClusterSettings.builder().userNodeProcessLimit(USER_NODE_PROCESSES).build();
        for (String service : StackNames.SERVICES) {
            assertThat(DOCKER.inspectContainerCmd(taskContainer(service)).exec().getHostConfig().getPidsLimit())
                    .as(service + "'s pids limit").isEqualTo((long) ServiceLimits.pids(service, deployed));
        }

        // the dashboard, deployed and waited for with the rest: the student's login opens it, and it shows the job
        assertThat(run.output()).contains("Dashboard: " + hubUrl() + "/services/dashboard/");
        assertThat(student.get("/services/dashboard/").statusCode()).as("the dashboard's page, after the hub's OAuth")
                .isEqualTo(200);
        String overview = await("the student's experiment in the dashboard").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> student.get("/services/dashboard/api/overview"),
                        r -> r.statusCode() == 200 && r.body().contains("\"user\":\"student\"")).body();
        assertThat(overview).contains("\"available\":true").contains("worker-1").contains("worker-2");
    }

    @Test
    @Order(3)
    void redeployingWithNothingChangedRestartsNothing() {
        List<String> before = runningTaskIds();

        Run run = deploy("-Dcfiddle.workers=2");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(runningTaskIds()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void workersJoinAndLeaveSlurmWhenScaled() {
        assertThat(deploy("-Dcfiddle.workers=3").exitCode()).isZero();
        assertThat(slurmNodes()).hasSize(3).hasEntrySatisfying("worker-3", n -> assertThat(n.idle()).as(n.describe()).isTrue());

        assertThat(deploy("-Dcfiddle.workers=2").exitCode()).isZero();
        await("worker-3 gone from Slurm and its container stopped").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !slurmNodes().containsKey("worker-3") && workerContainers().stream().noneMatch(
                        c -> "worker-3".equals(DOCKER.inspectContainerCmd(c).exec().getConfig().getHostName())));
        assertThat(slurmNodes()).containsOnlyKeys("worker-1", "worker-2");
    }

    @Test
    @Order(5)
    void workersAreIdleAgainAfterTheControllerOrAWorkerDies() {
        DOCKER.killContainerCmd(taskContainer("slurmctld")).exec();
        awaitWorkersIdle("after the controller was killed");

        String worker = taskContainer("worker");
        String node = DOCKER.inspectContainerCmd(worker).exec().getConfig().getHostName();
        // The new controller's container answers sinfo before swarm counts its task as running (healthy), which
        // is when the deploy core's exec finds it.
        Instant killed = await("the restarted controller's task").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsMatching(e -> true).until(DeployIT::controllerClock, java.util.Objects::nonNull);
        DOCKER.killContainerCmd(worker).exec();
        await(node + "'s replacement registered with Slurm").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptionsMatching(e -> true)
                .until(() -> slurmNodes().get(node).slurmdStarted(), started -> started != null && !started.isBefore(killed));
        awaitWorkersIdle("after a worker was killed");

        JsonNode result = ScriptResult.parse(exec("user", "student", "python3", "/opt/experiments/sweep.py"));
        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
    }

    @Test
    @Order(6)
    void anAdminResetsAPasswordAndLoggedInStudentsStayLoggedIn() throws IOException {
        String newPassword = "second-" + Long.toHexString(new java.security.SecureRandom().nextLong());
        Files.write(passwordsFile, PasswordHashes.file(Map.of(STUDENT, newPassword)));
        String userTask = taskContainer("user");

        Run run = deploy("-Dcfiddle.workers=2", "-Dcfiddle.passwordsFile=" + passwordsFile);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(taskContainer("user")).as("the user node restarted with the new passwords").isNotEqualTo(userTask);
        assertThat(student.get("/hub/home").uri().getPath()).as("the hub's cookie secret and database were kept")
                .isEqualTo("/hub/home");
        assertThat(HubSession.attempt(hubUrl(), STUDENT, PASSWORD).loggedIn()).as("the old password").isFalse();
        assertThat(HubSession.attempt(hubUrl(), STUDENT, newPassword).loggedIn()).as("the new password").isTrue();
    }

    @Test
    @Order(7)
    void statusShowsNodesServicesNotebookServersAndJobs() {
        student.startServer();
        Run run = mvn("cfiddle:status");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("worker-1").contains("idle").contains("slurmctld").contains("Queue").contains("student:")
                .contains("Notebook servers per user").containsPattern("student\\s+up ");
    }

    @Test
    @Order(8)
    void undeployRemovesTheServicesAndKeepsTheData() {
        Run run = mvn("cfiddle:undeploy");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(stackServices()).isEmpty();
        assertThat(DOCKER.listVolumesCmd().exec().getVolumes()).extracting(v -> v.getName())
                .contains(STACK + "_homes", STACK + "_db-data", STACK + "_slurmctld-state");
        assertThat(DOCKER.listSecretsCmd().exec()).extracting(s -> s.getSpec().getName())
                .anyMatch(name -> name.startsWith(STACK + "_munge"));
    }

    private static void assertFailsCreatingNothing(Run run, String explanation) {
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains(explanation);
        assertThat(stackServices()).as("services after a refused deploy").isEmpty();
        if (swarmState() == LocalNodeState.ACTIVE) {
            assertThat(DOCKER.listSecretsCmd().exec()).extracting(s -> s.getSpec().getName())
                    .noneMatch(name -> name.startsWith(STACK + "_"));
        }
    }

    private static String hubUrl() {
        return "http://localhost:" + port;
    }

    private static Run deploy(String... settings) {
        return mvn("cfiddle:deploy", Stream.concat(Stream.of("-Dcfiddle.port=" + port,
                "-Dcfiddle.userNodeProcessLimit=" + USER_NODE_PROCESSES), Stream.of(settings)).toArray(String[]::new));
    }

    /** {@code ./mvnw GOAL -Dcfiddle.stackName=... SETTINGS} in the project, as an operator types it. */
    private static Run mvn(String goal, String... settings) {
        return OPERATOR.run(goal, settings);
    }

    private static LocalNodeState swarmState() {
        return DOCKER.infoCmd().exec().getSwarm().getLocalNodeState();
    }

    private static List<String> stackServices() {
        if (swarmState() != LocalNodeState.ACTIVE) {
            return List.of();
        }
        return DOCKER.listServicesCmd().withLabelFilter(Map.of("com.docker.stack.namespace", STACK)).exec().stream()
                .map(s -> s.getSpec().getName()).toList();
    }

    private static List<String> runningTaskIds() {
        return DOCKER.listTasksCmd().withServiceFilter(stackServices().toArray(String[]::new)).exec().stream()
                .filter(t -> t.getStatus().getState().getValue().equals("running"))
                .map(Task::getId).sorted().toList();
    }

    private static List<String> workerContainers() {
        return DOCKER.listContainersCmd().withLabelFilter(Map.of("com.docker.swarm.service.name", STACK + "_worker"))
                .exec().stream().map(Container::getId).toList();
    }

    private static String taskContainer(String service) {
        return DOCKER.listContainersCmd().withLabelFilter(Map.of("com.docker.swarm.service.name", STACK + "_" + service))
                .exec().stream().map(Container::getId).findFirst()
                .orElseThrow(() -> new AssertionError("no running container of service " + STACK + "_" + service));
    }

    /** Swarm restarts what died; the workers must then be back in Slurm, idle, by themselves. */
    private static void awaitWorkersIdle(String when) {
        await("worker-1 and worker-2 idle in Slurm " + when).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptionsMatching(e -> true) // the controller may be between containers
                .until(() -> slurmNodes(), nodes -> Stream.of("worker-1", "worker-2")
                        .allMatch(w -> nodes.containsKey(w) && nodes.get(w).idle()));
    }

    /** The controller's local time, in which scontrol reports times. */
    /** The controller's clock, to the second (Slurm's times are in seconds). */
    private static Instant controllerClock() {
        return Instant.ofEpochSecond(Long.parseLong(exec("slurmctld", "root", "date", "+%s").strip()));
    }

    /** Slurm, asked in the deployed controller's container (through the docker CLI). */
    private static SlurmQuery slurm() {
        return new SlurmQuery(SlurmCommands.dockerExec(taskContainer("slurmctld")));
    }

    private static Map<String, SlurmNode> slurmNodes() {
        return CfiddleCluster.query(() -> slurm().nodesByName());
    }

    /** Runs a command in the stack's task of a service, as the deploy core does (status, exec). */
    private static String exec(String service, String user, String... command) {
        try (DockerJavaEngine engine = DockerJavaEngine.connect(null, DeployLog.SILENT)) {
            SwarmEngine.ExecResult r = new ClusterDeployer(engine, DeployLog.SILENT).exec(
                    DeployConfig.builder().stackName(STACK).build(), service, List.of(command), user,
                    "root".equals(user) ? "/" : "/home/" + user);
            if (!r.ok()) {
                throw new AssertionError("exec " + List.of(command) + " in " + service + " exited " + r.exitCode() + "\n"
                        + r.stdout() + r.stderr());
            }
            return r.stdout();
        } catch (DeployException e) {
            throw new IllegalStateException("exec " + List.of(command) + " in " + service, e);
        }
    }
}
