package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.ALICE_UID;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.BOB_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A plain cfiddle run() on the user node executes on a Slurm worker, alone, in a fresh sandbox. */
class ClusterRunIT {
    private static final CfiddleCluster CLUSTER = SharedCluster.get();
    private static final Duration CLEANUP_DEADLINE = Duration.ofSeconds(60);
    /** The sandbox image's {@code sandbox} user (its Dockerfile): a warm sandbox starts before its student is known. */
    private static final int SANDBOX_UID = 999;

    @Test
    void aPlainRunIsOneSlurmJobOnAWorker() {
        long lastJob = CLUSTER.lastJobId();

        JsonNode result = ScriptResult.parse(CLUSTER.python(ALICE, "experiments/sweep.py"));

        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
        List<SlurmJob> jobs = CLUSTER.awaitFinishedJobsAfter(lastJob, 1);
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).user()).isEqualTo(ALICE);
        assertThat(jobs.get(0).state()).isEqualTo("COMPLETED");
        assertThat(CLUSTER.workerNames()).contains(jobs.get(0).nodes());
    }

    @Test
    void theExperimentSeesOnlyItsSandbox() {
        JsonNode result = ScriptResult.parse(CLUSTER.python(ALICE, "experiments/sandbox_facts.py"));
        JsonNode sandbox = result.get("sandbox");
        JsonNode userNode = result.get("user_node");

        assertThat(sandbox.get("uid").asInt()).as("runs as the sandbox image's unprivileged user, not the student's uid")
                .isEqualTo(SANDBOX_UID);
        assertThat(sandbox.get("gid").asInt()).as("nor the student's group, nor root's").isNotIn(ALICE_UID, 0);
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
    void softwarePerfCountersComeBackFromTheSandbox() {
        JsonNode result = ScriptResult.parse(CLUSTER.python(BOB, "experiments/perf_counters.py"));

        assertThat(ScriptResult.longs(result.get("cpu_clock"))).hasSize(2).allMatch(ns -> ns > 0);
        assertThat(result.get("unknown_counter").get("type").asText()).isEqualTo("UnknownPerformanceCounter");
        assertThat(result.get("unknown_counter").get("message").asText()).contains("NO_SUCH_COUNTER");
    }

    @Test
    void theExampleNotebookRunsOnTheClusterInTheStudentsKernel() throws Exception {
        long lastJob = CLUSTER.lastJobId();
        HubSession student = CLUSTER.logIn(CfiddleCluster.STUDENT);
        student.startServer();
        try (JupyterKernel kernel = student.kernel(ExampleNotebook.PATH)) {
            ExampleNotebook.assertAsAStudentSeesIt(ExampleNotebook.runAll(student, kernel));
        }
        assertThat(CLUSTER.awaitFinishedJobsAfter(lastJob, 1)).hasSize(1)
                .allSatisfy(j -> assertThat(j.user()).isEqualTo(CfiddleCluster.STUDENT))
                .allSatisfy(j -> assertThat(CLUSTER.workerNames()).contains(j.nodes()));
    }

    @Test
    void twoUsersAtOnceNeverShareAWorkerNorTheirFiles() {
        long lastJob = CLUSTER.lastJobId();
        // Four submitters for two workers: jobs must queue for a free worker.
        List<String> users = List.of(ALICE, ALICE, BOB, BOB);
        IntFunction<String> buildDirectory = i -> "/home/" + users.get(i) + "/submitter" + i;
        List<BusyRun> runs;
        Map<String, Sandboxes.Start> sandboxOf;
        try (Sandboxes.Starts sandboxStarts = Sandboxes.recordStarts(CLUSTER)) {
            List<CompletableFuture<JsonNode>> submitters = IntStream.range(0, users.size())
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> ScriptResult.parse(CLUSTER.python(
                            users.get(i), "experiments/busy_experiments.py", "2", "800", buildDirectory.apply(i)))))
                    .toList();
            List<JsonNode> reports = submitters.stream().map(CompletableFuture::join).toList();
            reports.forEach(r -> assertThat(ScriptResult.longs(r.get("returns"))).containsExactly(0L, 1L));
            runs = reports.stream().flatMap(r -> BusyRun.all(r.get("runs")).stream()).toList();
            sandboxOf = sandboxStarts.awaitAll(runs.stream().map(BusyRun::sandboxHostname).toList());
        }

        List<SlurmJob> jobs = CLUSTER.awaitFinishedJobsAfter(lastJob, 8);
        assertThat(jobs).hasSize(8).allSatisfy(j -> assertThat(j.state()).isEqualTo("COMPLETED"));
        assertThat(jobs.stream().filter(j -> j.user().equals(ALICE))).hasSize(4);
        assertThat(jobs.stream().filter(j -> j.user().equals(BOB))).hasSize(4);
        assertThat(runs).extracting(BusyRun::sandboxHostname).as("each experiment in a sandbox of its own")
                .hasSize(8).doesNotHaveDuplicates();
        assertThat(sandboxOf.values()).as("each sandbox's job and worker, as the launcher labelled it, is Slurm's")
                .extracting(Sandboxes.Start::job, Sandboxes.Start::node)
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(j -> Tuple.tuple(Long.toString(j.id()), j.nodes())).toList());
        Function<BusyRun, String> worker = run -> sandboxOf.get(run.sandboxHostname()).node();
        assertThat(runs.stream().map(worker).collect(Collectors.toSet())).as("workers that ran experiments")
                .isEqualTo(Set.copyOf(CLUSTER.workerNames()));
        // By the experiments' own clocks (one kernel's CLOCK_REALTIME, in ns): whatever was busy at the same
        // moment was so on different workers, and that happened (the check had something to find).
        List<List<BusyRun>> busyAtOnce = IntStream.range(0, runs.size()).boxed()
                .flatMap(i -> runs.subList(i + 1, runs.size()).stream().filter(runs.get(i)::overlaps)
                        .map(other -> List.of(runs.get(i), other)))
                .toList();
        assertThat(busyAtOnce).as("pairs of experiments busy at the same moment, of %s", runs).isNotEmpty()
                .allSatisfy(pair -> assertThat(worker.apply(pair.get(0))).as("the worker of %s and %s", pair.get(0),
                        pair.get(1)).isNotEqualTo(worker.apply(pair.get(1))));
        IntStream.range(0, users.size()).forEach(i -> {
            String owner = users.get(i);
            String other = owner.equals(ALICE) ? BOB : ALICE;
            assertThat(CLUSTER.userNodeExec(owner, "ls", buildDirectory.apply(i)).getExitCode())
                    .as("%s lists %s", owner, buildDirectory.apply(i)).isZero();
            assertThat(CLUSTER.userNodeExec(other, "ls", buildDirectory.apply(i)).getExitCode())
                    .as("%s lists %s", other, buildDirectory.apply(i)).isNotZero();
        });
    }

    @Test
    void aCompileErrorIsReportedAndTheNextExperimentRuns() {
        JsonNode error = badExperiment("compile_error");
        assertThat(error.get("type").asText()).isEqualTo("BuildFailure");
        // g++'s own diagnostic for the broken line, and that line as it quotes it: what the student needs.
        assertThat(error.get("message").asText()).contains("error: expected primary-expression before")
                .contains("return x +;");
    }

    @Test
    void aSegfaultIsReportedAndTheNextExperimentRuns() {
        JsonNode error = badExperiment("segfault");
        assertThat(error.get("type").asText()).isEqualTo("ClusterRunError");
        assertThat(error.get("message").asText()).contains("segmentation fault").contains("SIGSEGV");
    }

    @Test
    void aRunawayExperimentIsStoppedAtTheTimeLimit() {
        JsonNode error = badExperiment("infinite_loop");
        assertThat(error.get("type").asText()).isEqualTo("ClusterRunError");
        assertThat(error.get("message").asText()).contains("time limit");
    }

    @Test
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

    /** Whatever the tests did to it (a crash, a runaway, a cancelled job), the cluster is whole and idle. */
    @AfterAll
    static void theClusterKeepsRunningAfterAllThat() {
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
