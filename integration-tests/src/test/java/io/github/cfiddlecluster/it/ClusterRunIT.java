package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.ALICE_UID;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.BOB_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** A plain cfiddle run() on the user node executes on a Slurm worker, alone, in a fresh sandbox. */
@TestMethodOrder(OrderAnnotation.class)
class ClusterRunIT {
    private static final CfiddleCluster CLUSTER = SharedCluster.get();
    private static final Duration CLEANUP_DEADLINE = Duration.ofSeconds(60);

    @Test
    @Order(1)
    void aPlainRunIsOneSlurmJobOnAWorker() {
        long lastJob = CLUSTER.lastJobId();

        JsonNode result = ScriptResult.parse(CLUSTER.python(ALICE, "experiments/sweep.py"));

        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
        List<SlurmJob> jobs = CLUSTER.awaitFinishedJobsAfter(lastJob, 1);
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).user()).isEqualTo(ALICE);
        assertThat(jobs.get(0).state()).isEqualTo("COMPLETED");
        assertThat(CLUSTER.workerNames()).contains(jobs.get(0).node());
    }

    @Test
    @Order(2)
    void theExperimentSeesOnlyItsSandbox() {
        JsonNode result = ScriptResult.parse(CLUSTER.python(ALICE, "experiments/sandbox_facts.py"));
        JsonNode sandbox = result.get("sandbox");
        JsonNode userNode = result.get("user_node");

        assertThat(sandbox.get("uid").asInt()).as("runs as the user's uid").isEqualTo(ALICE_UID);
        assertThat(sandbox.get("gid").asInt()).isEqualTo(ALICE_UID);
        assertThat(sandbox.get("cap_eff_is_zero").asInt()).as("no capabilities").isEqualTo(1);
        assertThat(sandbox.get("interfaces").asInt()).as("only loopback").isEqualTo(1);
        assertThat(sandbox.get("root_write_errno").asInt()).as("read-only root: EROFS").isEqualTo(30);
        assertThat(sandbox.get("home_entries").asInt()).as("no home directory").isZero();
        // ... none of which holds where the user's notebook runs: the experiment ran elsewhere.
        assertThat(userNode.get("uid").asInt()).isEqualTo(ALICE_UID);
        assertThat(userNode.get("interfaces").asInt()).isGreaterThan(1);
        assertThat(userNode.get("home_entries").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(sandbox.get("hostname_hash").asLong()).isNotEqualTo(userNode.get("hostname_hash").asLong());
    }

    @Test
    @Order(3)
    void softwarePerfCountersComeBackFromTheSandbox() {
        JsonNode result = ScriptResult.parse(CLUSTER.python(BOB, "experiments/perf_counters.py"));

        assertThat(ScriptResult.longs(result.get("cpu_clock"))).hasSize(2).allMatch(ns -> ns > 0);
        assertThat(result.get("unknown_counter").get("type").asText()).isEqualTo("UnknownPerformanceCounter");
        assertThat(result.get("unknown_counter").get("message").asText()).contains("NO_SUCH_COUNTER");
    }

    @Test
    @Order(4)
    void theExampleNotebookRunsOnTheClusterInTheStudentsKernel() throws Exception {
        long lastJob = CLUSTER.lastJobId();
        HubSession student = CLUSTER.logIn(CfiddleCluster.STUDENT);
        student.startServer();
        try (JupyterKernel kernel = student.kernel(ExampleNotebook.PATH)) {
            ExampleNotebook.assertAsAStudentSeesIt(ExampleNotebook.runAll(student, kernel));
        }
        assertThat(CLUSTER.awaitFinishedJobsAfter(lastJob, 1)).hasSize(1)
                .allSatisfy(j -> assertThat(j.user()).isEqualTo(CfiddleCluster.STUDENT))
                .allSatisfy(j -> assertThat(CLUSTER.workerNames()).contains(j.node()));
    }

    @Test
    @Order(5)
    void twoUsersAtOnceNeverShareAWorkerNorTheirFiles() {
        long lastJob = CLUSTER.lastJobId();
        // Four submitters for two workers: jobs must queue for a free worker.
        List<String> users = List.of(ALICE, ALICE, BOB, BOB);
        List<CompletableFuture<JsonNode>> submitters = IntStream.range(0, users.size())
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> ScriptResult.parse(
                        CLUSTER.python(users.get(i), "experiments/busy_experiments.py", "2", "800", "submitter" + i))))
                .toList();

        submitters.forEach(s -> assertThat(ScriptResult.longs(s.join().get("returns"))).containsExactly(0L, 1L));
        List<SlurmJob> jobs = CLUSTER.awaitFinishedJobsAfter(lastJob, 8);
        assertThat(jobs).hasSize(8).allSatisfy(j -> assertThat(j.state()).isEqualTo("COMPLETED"));
        assertThat(jobs.stream().filter(j -> j.user().equals(ALICE))).hasSize(4);
        assertThat(jobs.stream().filter(j -> j.user().equals(BOB))).hasSize(4);
        for (SlurmJob a : jobs) {
            for (SlurmJob b : jobs) {
                assertThat(a != b && a.overlaps(b)).as("%s and %s overlap on one worker", a, b).isFalse();
            }
        }
        assertThat(CLUSTER.userNodeExec(BOB, "ls", "/home/" + ALICE).getExitCode()).isNotZero();
        assertThat(CLUSTER.userNodeExec(ALICE, "ls", "/home/" + BOB).getExitCode()).isNotZero();
        assertThat(CLUSTER.userNodeExec(ALICE, "ls", "/home/" + ALICE + "/.cfiddle").getExitCode()).isZero();
    }

    @Test
    @Order(6)
    void aCompileErrorIsReportedAndTheNextExperimentRuns() {
        JsonNode error = badExperiment("compile_error");
        assertThat(error.get("message").asText()).contains("error");
    }

    @Test
    @Order(7)
    void aSegfaultIsReportedAndTheNextExperimentRuns() {
        JsonNode error = badExperiment("segfault");
        assertThat(error.get("type").asText()).isEqualTo("ClusterRunError");
        assertThat(error.get("message").asText()).contains("segmentation fault").contains("SIGSEGV");
    }

    @Test
    @Order(8)
    void aRunawayExperimentIsStoppedAtTheTimeLimit() {
        JsonNode error = badExperiment("infinite_loop");
        assertThat(error.get("type").asText()).isEqualTo("ClusterRunError");
        assertThat(error.get("message").asText()).contains("time limit");
    }

    @Test
    @Order(9)
    void aCancelledJobTakesItsSandboxWithIt() {
        CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(
                () -> ScriptResult.parse(CLUSTER.python(BOB, "experiments/bad_input.py", "infinite_loop")));
        await("bob's sandbox running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !Sandboxes.runningOfUid(CLUSTER, BOB_UID).isEmpty());

        assertThat(CLUSTER.controllerExec("scancel", "--user=" + BOB).getExitCode()).isZero();

        JsonNode result = running.join();
        assertThat(result.get("error").get("type").asText()).isEqualTo("ClusterRunError");
        assertThat(result.get("error").get("message").asText()).containsAnyOf("CANCELLED", "signalled");
        assertThat(ScriptResult.longs(result.get("after"))).containsExactly(ScriptResult.polynomial(7));
        awaitNoSandboxLeft();
    }

    @Test
    @Order(10)
    void theClusterKeepsRunningAfterAllThat() {
        assertThat(CLUSTER.allRunning()).isTrue();
        CLUSTER.awaitWorkersIdle();
    }

    /** Runs one bad experiment then a good one; returns the error the user got. */
    private static JsonNode badExperiment(String kind) {
        JsonNode result = ScriptResult.parse(CLUSTER.python(ALICE, "experiments/bad_input.py", kind));
        assertThat(result.get("error").isNull()).as("the bad experiment raised").isFalse();
        assertThat(ScriptResult.longs(result.get("after"))).containsExactly(ScriptResult.polynomial(7));
        awaitNoSandboxLeft();
        return result.get("error");
    }

    private static void awaitNoSandboxLeft() {
        await("no sandbox container left on the engine").atMost(CLEANUP_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> Sandboxes.of(CLUSTER).isEmpty());
    }
}
