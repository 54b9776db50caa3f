package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cfiddlecluster.it.OperatorMaven.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster on a swarm of three Docker hosts (simulated on this machine: {@link DockerHostSwarm}): a head on
 * Docker 26.1 (Debian trixie) and two worker hosts, one on 20.10 (bookworm) and one on 26.1. Deployed by
 * {@code ./mvnw cfiddle:deploy} against the head's engine, with the images distributed through the registry the
 * cluster brings; then a worker host dies and returns, and another loses its label.
 */
@TestMethodOrder(OrderAnnotation.class)
class MultiHostIT {
    private static final String STACK = "cfmh";
    private static final OperatorMaven OPERATOR = new OperatorMaven(STACK);
    private static final String HOST_A = "host-a";
    private static final String HOST_B = "host-b";
    private static final String WORKER_A = HOST_A + "-worker";
    private static final String WORKER_B = HOST_B + "-worker";
    private static final Map<String, Integer> USERS = Map.of("student", 1000, "alice", 1001);
    private static final Duration SLURM_DEADLINE = Duration.ofMinutes(3);
    private static final Map<String, Object> FIGURES = new LinkedHashMap<>();

    private static DockerHostSwarm swarm;
    private static DockerHost head;
    private static Path usersFile;
    private static Path passwordsFile;

    @BeforeAll
    static void aSwarmOfThreeHostsWithTheImagesOnTheHeadOnly(@TempDir Path dir) throws IOException {
        swarm = DockerHostSwarm.withHead("head", DockerHostImage.TRIXIE)
                .worker(HOST_A, DockerHostImage.BOOKWORM).worker(HOST_B, DockerHostImage.TRIXIE).start();
        head = swarm.head();
        swarm.hosts().forEach(h -> FIGURES.put("engine " + h.name(), h.engineVersion()));
        long loading = System.nanoTime();
        head.load(List.of(Images.CLUSTER.asCanonicalNameString(), Images.USER.asCanonicalNameString(),
                Images.SANDBOX.asCanonicalNameString(), Images.DASHBOARD.asCanonicalNameString(),
                Images.REGISTRY.asCanonicalNameString()));
        figure("loading the images into the head (docker save | docker load), s", seconds(loading));
        usersFile = Files.writeString(dir.resolve("users"), USERS.entrySet().stream()
                .map(u -> u.getKey() + ":" + u.getValue() + ":" + u.getValue() + "\n").collect(Collectors.joining()));
        passwordsFile = Files.write(dir.resolve("passwords"), PasswordHashes.file(Map.of("student", "s-" + System.nanoTime(),
                "alice", "a-" + System.nanoTime())));
    }

    @AfterAll
    static void removeTheHosts() throws IOException {
        try {
            Path figures = OperatorMaven.PROJECT.resolve("integration-tests/target/multihost-figures.json");
            Files.createDirectories(figures.getParent());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(figures.toFile(), FIGURES);
        } finally {
            if (swarm != null) {
                swarm.close();
            }
        }
    }

    @Test
    @Order(0)
    void testcontainersWorksAgainstDocker26() throws Exception {
        ProcessBuilder child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), TestcontainersOnAnotherEngine.class.getName(),
                Images.REGISTRY.asCanonicalNameString()).redirectErrorStream(true);
        child.environment().put("DOCKER_HOST", head.dockerHost());
        // This engine only (not the strategy Testcontainers remembered for this machine's), offline (no reaper, no
        // check containers: their images are not on that engine).
        child.environment().put("TESTCONTAINERS_DOCKER_CLIENT_STRATEGY",
                "org.testcontainers.dockerclient.EnvironmentAndSystemPropertyClientProviderStrategy");
        child.environment().put("TESTCONTAINERS_RYUK_DISABLED", "true");
        child.environment().put("TESTCONTAINERS_CHECKS_DISABLE", "true");
        Process process = child.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("TESTCONTAINERS engine 26.1").contains("API 1.45").contains("exec works");
        figure("Testcontainers on the head's engine", output.lines().filter(l -> l.startsWith("TESTCONTAINERS"))
                .findFirst().orElse(""));
    }

    @Test
    @Order(1)
    void deployThroughTheClustersRegistryGivesAnIdleWorkerOnEachWorkerHost() {
        long started = System.nanoTime();
        Run run = deploy("-Dcfiddle.passwordsFile=" + passwordsFile);
        figure("deploy: registry started, images pushed, stack ready on three hosts, s", seconds(started));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("is ready").contains("pushed cfiddle-cluster/sandbox");
        String pushed = run.output().lines().filter(l -> l.contains("took the 4 images in")).findFirst().orElse("");
        figure("deploy log: the cluster's registry", pushed.replaceAll(".*\\[INFO\\] ", ""));
        assertThat(slurmNodes()).containsEntry(WORKER_A, "idle").containsEntry(WORKER_B, "idle").hasSize(2);
        String registry = head.address() + ":5000/";
        for (DockerHost host : swarm.workers()) {
            assertThat(host.docker("image", "ls", "--format", "{{.Repository}}"))
                    .as("images on " + host.name() + " come from the cluster's registry on the head")
                    .contains(registry + "cfiddle-cluster/cluster").contains(registry + "cfiddle-cluster/sandbox")
                    .doesNotContain("\ncfiddle-cluster/");
        }
        assertThat(taskContainers(head, "worker")).as("the head is not a worker host").isEmpty();
        assertThat(taskContainers(head, "slurmctld")).hasSize(1);
    }

    @Test
    @Order(2)
    void noHostCanReplaceAnImageInTheClustersRegistry() {
        DockerHost host = swarm.host(HOST_A);
        String image = head.address() + ":5000/cfiddle-cluster/sandbox:replaced";
        host.docker("tag", sandboxImageOn(host), image);
        var push = host.dockerResult("push", image);
        assertThat(push.getExitCode()).as(push.getStdout()).isNotZero();
        assertThat(push.getStderr() + push.getStdout()).containsIgnoringCase("method not allowed");
    }

    @Test
    @Order(3)
    void experimentsOfTwoStudentsRunOnBothWorkerHosts() {
        copyExperimentsToTheUserNode();
        List<CompletableFuture<String>> submitters = USERS.keySet().stream()
                .map(user -> CompletableFuture.supplyAsync(() -> userPython(user, "/opt/experiments/busy_experiments.py",
                        "3", "1500", "/home/" + user + "/busy")))
                .toList();
        submitters.forEach(s -> assertThat(ScriptResult.longs(ScriptResult.parse(s.join()).get("returns")))
                .containsExactly(0L, 1L, 2L));

        await("Slurm's record of where the jobs ran: both worker hosts").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> jobNodesByUser().values().stream().flatMap(Set::stream).collect(Collectors.toSet()),
                        nodes -> nodes.equals(Set.of(WORKER_A, WORKER_B)));
    }

    @Test
    @Order(4)
    void aVanishedWorkerHostIsDownInSlurmAndExperimentsCompleteOnTheOther() {
        long killed = System.nanoTime();
        swarm.host(HOST_B).kill();
        await(WORKER_B + " DOWN in Slurm").atMost(SLURM_DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> slurmNodes().get(WORKER_B), state -> state != null && state.startsWith("down"));
        figure("a killed worker host DOWN in Slurm after, s", seconds(killed));
        assertThat(slurmNodes()).containsEntry(WORKER_A, "idle");

        int jobsBefore = jobs().size();
        for (int i = 0; i < 2; i++) {
            JsonNode result = ScriptResult.parse(userPython("student", "/opt/experiments/sweep.py"));
            assertThat(ScriptResult.longs(result.get("returns")))
                    .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
        }
        List<String[]> all = await("the two jobs in accounting").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500)).until(MultiHostIT::jobs, jobs -> jobs.size() >= jobsBefore + 2);
        assertThat(all.subList(jobsBefore, all.size()))
                .allSatisfy(job -> assertThat(job[2]).as("job " + job[0]).isEqualTo(WORKER_A));
    }

    @Test
    @Order(5)
    void aReturningWorkerHostIsIdleAgainByItself() {
        long booted = System.nanoTime();
        swarm.host(HOST_B).boot();
        figure("a restarted worker host's engine answers after, s", seconds(booted));
        await(WORKER_B + " idle again").atMost(SLURM_DEADLINE).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> "idle".equals(slurmNodes().get(WORKER_B)));
        figure("a restarted worker host idle in Slurm after, s", seconds(booted));
    }

    @Test
    @Order(6)
    void aHostWhoseLabelIsRemovedLeavesSlurm() {
        long removed = System.nanoTime();
        swarm.label(swarm.host(HOST_B), DockerHostSwarm.WORKER_LABEL, false);
        await(WORKER_B + " gone from Slurm and its worker stopped").atMost(SLURM_DEADLINE)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !slurmNodes().containsKey(WORKER_B) && taskContainers(swarm.host(HOST_B), "worker").isEmpty());
        figure("a worker host's label removed: its node gone from Slurm after, s", seconds(removed));
        assertThat(slurmNodes()).containsOnlyKeys(WORKER_A);
    }

    @Test
    @Order(7)
    void undeployLeavesTheHostsClean() {
        Run run = OPERATOR.run("cfiddle:undeploy", "-Dcfiddle.dockerHost=" + head.dockerHost(), "-Dcfiddle.purge=true");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(head.docker("service", "ls", "--quiet")).isBlank();
        for (DockerHost host : swarm.hosts()) {
            await("no container left on " + host.name()).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> host.docker("ps", "--all", "--quiet").isBlank());
            assertThat(host.docker("network", "ls", "--quiet", "--filter", "label=com.docker.stack.namespace"))
                    .as("stack networks on " + host.name()).isBlank();
        }
        assertThat(head.docker("volume", "ls", "--quiet")).as("volumes on the head after a purge").isBlank();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static Run deploy(String... settings) {
        String[] all = new String[settings.length + 3];
        all[0] = "-Dcfiddle.dockerHost=" + head.dockerHost();
        all[1] = "-Dcfiddle.clusterRegistry=true";
        all[2] = "-Dcfiddle.usersFile=" + usersFile;
        System.arraycopy(settings, 0, all, 3, settings.length);
        // Two students' experiments at once may run on two workers.
        return OPERATOR.run("cfiddle:deploy", append(all, "-Dcfiddle.userRunningLimit=2"));
    }

    private static String[] append(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    /** The id of the sandbox image the host pulled (by digest, so it has no tag). */
    private static String sandboxImageOn(DockerHost host) {
        return host.docker("image", "ls", "--format", "{{.Repository}} {{.ID}}").lines()
                .map(l -> l.split(" ")).filter(f -> f.length == 2 && f[0].endsWith("/cfiddle-cluster/sandbox"))
                .map(f -> f[1]).findFirst()
                .orElseThrow(() -> new AssertionError("no sandbox image on " + host.name()));
    }

    private static List<String> taskContainers(DockerHost host, String service) {
        return host.docker("ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=" + STACK + "_" + service)
                .lines().filter(l -> !l.isBlank()).toList();
    }

    private static String headService(String service) {
        return taskContainers(head, service).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no running " + STACK + "_" + service + " on the head"));
    }

    /** Slurm's nodes and their states (sinfo %T, lower case), from the controller on the head. */
    private static Map<String, String> slurmNodes() {
        Map<String, String> nodes = new TreeMap<>();
        head.docker("exec", headService("slurmctld"), "sinfo", "--noheader", "--Node", "--format=%N %T").lines()
                .map(l -> l.trim().split("\\s+")).filter(f -> f.length == 2)
                .forEach(f -> nodes.put(f[0], f[1].replace("*", "").toLowerCase()));
        return nodes;
    }

    /** Every job in accounting: id, user, node list. */
    private static List<String[]> jobs() {
        return head.docker("exec", headService("slurmctld"), "sacct", "--allusers", "--allocations", "--noheader",
                        "--parsable2", "--format=JobID,User,NodeList").lines()
                .map(l -> l.split("\\|", -1)).filter(f -> f.length == 3).toList();
    }

    private static Map<String, Set<String>> jobNodesByUser() {
        return jobs().stream().collect(Collectors.groupingBy(j -> j[1], Collectors.mapping(j -> j[2], Collectors.toSet())));
    }

    private static void copyExperimentsToTheUserNode() {
        head.engine().copyArchiveToContainerCmd(headService("user"))
                .withHostResource(OperatorMaven.PROJECT.resolve("integration-tests/target/test-classes/experiments").toString())
                .withRemotePath("/opt").exec();
    }

    /** Python as a student on the user node, in their home: its standard output. */
    private static String userPython(String user, String... arguments) {
        String[] command = new String[arguments.length + 7];
        System.arraycopy(new String[] {"exec", "-u", user, "-w", "/home/" + user, headService("user"), "python3"}, 0,
                command, 0, 7);
        System.arraycopy(arguments, 0, command, 7, arguments.length);
        return head.docker(command);
    }

    private static double seconds(long sinceNanos) {
        return Math.round((System.nanoTime() - sinceNanos) / 1e8) / 10.0;
    }

    private static void figure(String what, Object value) {
        FIGURES.put(what, value);
        System.out.println("MULTIHOST " + what + ": " + value);
    }
}
