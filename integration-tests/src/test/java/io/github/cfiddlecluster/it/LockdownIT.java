package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.TEACHER;
import static io.github.cfiddlecluster.it.SharedCluster.TEACHER_UID;
import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.Container.ExecResult;

/** What a curious, careless or hostile student tries on the cluster, and what stops it. */
class LockdownIT {
    private static final CfiddleCluster CLUSTER = SharedCluster.get();
    private static final String REFUSAL = "only through cfiddle's run()";
    private static final String LAUNCHER = "/usr/local/sbin/cfiddle-launch";

    @Test
    void aStudentsDirectSrunSbatchAndSallocAreRefused() {
        ExecResult srun = CLUSTER.userNodeExec(ALICE, "srun", "--time=1", "id");
        assertThat(srun.getExitCode()).as(srun.getStderr()).isNotZero();
        assertThat(srun.getStdout()).doesNotContain("uid=");
        assertThat(srun.getStderr()).contains(REFUSAL);

        ExecResult sbatch = CLUSTER.userNodeExec(ALICE, "sbatch", "--time=1", "--array=0-19", "--wrap", "id");
        assertThat(sbatch.getExitCode()).isNotZero();
        assertThat(sbatch.getStderr()).contains(REFUSAL).contains("batch jobs");

        ExecResult salloc = CLUSTER.userNodeExec(ALICE, "salloc", "--time=1", "srun", "id");
        assertThat(salloc.getExitCode()).isNotZero();
        assertThat(salloc.getStdout()).doesNotContain("uid=");
        assertThat(salloc.getStderr()).contains(REFUSAL);
    }

    @Test
    void everyOptionThatNamesAProgramForTheWorkerIsRefusedWithAClearMessage() {
        for (String option : List.of("task-prolog", "task-epilog", "prolog", "epilog", "bcast", "container")) {
            // The option is checked first, so its refusal is what the student reads, whatever the command (a plain
            // one: srun's own --bcast check refuses to copy the setuid sudo before any filter runs).
            ExecResult srun = CLUSTER.userNodeExec(ALICE, "srun", "--time=1", "--" + option + "=/bin/true", "/bin/true");
            assertThat(srun.getExitCode()).as(option + ": " + srun.getStderr()).isNotZero();
            assertThat(srun.getStderr()).contains("srun --" + option + " is refused").contains(REFUSAL);
        }
        ExecResult salloc = CLUSTER.userNodeExec(ALICE, "salloc", "--time=1", "/usr/bin/sudo", "-n", LAUNCHER);
        assertThat(salloc.getExitCode()).isNotZero();
        assertThat(salloc.getStderr()).contains("salloc is refused").contains(REFUSAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--task-prolog=/bin/bash", "--task-epilog=/bin/bash"})
    void aProgramNamedForTheWorkerNeverRunsForAStudentPastTheClientFilterButDoesForAnAdmin(String option) {
        // The same trick works for an admin, whose jobs are not limited: the probe can see it happen.
        JsonNode admin = ScriptResult.parse(CLUSTER.python(TEACHER, "experiments/program_option_probe.py",
                "--past-the-client-filter", option, "/bin/true"));
        assertThat(admin.get("called_back").asBoolean()).as(admin.toString()).isTrue();

        // A student who drops the user node's cli_filter, in a step of their own or inside an allocation, with
        // the launcher as the task (so the step itself is let through) and BASH_ENV exported to the worker.
        for (List<String> how : List.of(List.of("--past-the-client-filter"), List.of("--past-the-client-filter", "--in-salloc"))) {
            List<String> args = Stream.concat(how.stream(), Stream.of(option, "/usr/bin/sudo", "-n", LAUNCHER)).toList();
            JsonNode student = ScriptResult.parse(CLUSTER.python(BOB, "experiments/program_option_probe.py",
                    args.toArray(String[]::new)));
            assertThat(student.get("called_back").asBoolean()).as(how + " " + student).isFalse();
        }
    }

    @Test
    void aForkStormInAnExperimentLeavesTheWorkersHealthyAndAnotherStudentsExperimentRuns() {
        CompletableFuture<JsonNode> storm = CompletableFuture.supplyAsync(
                () -> ScriptResult.parse(CLUSTER.python(ALICE, "experiments/sandbox_edges.py", "forkstorm", "15")));
        await("alice's fork storm running on a worker").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> storm.isDone() || CfiddleCluster.query(() -> CLUSTER.slurm().queue()).stream()
                        .anyMatch(j -> j.user().equals(ALICE) && j.state().equals("RUNNING")));
        // Bob's experiment, on the other worker while the storm goes on.
        JsonNode sweep = ScriptResult.parse(CLUSTER.python(BOB, "experiments/sweep.py"));
        assertThat(sweep.get("returns").size()).as(sweep.toString()).isPositive();

        JsonNode stormed = storm.join();
        assertThat(stormed.get("error").isNull()).as(stormed.toString()).isTrue();
        long forked = ScriptResult.longs(stormed.get("returns")).get(0);
        assertThat(forked).as("processes the storm got").isPositive()
                .isLessThan(CLUSTER.settings().sandboxPids());
        for (String worker : CLUSTER.workerNames()) {
            assertThat(CLUSTER.workerHealthy(worker)).as(worker + " healthy after the storm").isTrue();
        }
        CLUSTER.awaitWorkersIdle();
    }

    @Test
    void nothingAJobStartedOutlivesIt() {
        String worker = CLUSTER.workerNames().get(0);
        ExecResult maintenance = CLUSTER.userNodeExec(TEACHER, "srun", "--time=1", "--nodelist=" + worker, "bash", "-c",
                // Detached from the step's output, so the job ends at once and leaves them behind.
                "setsid -f sleep 600 </dev/null >/dev/null 2>&1; touch /tmp/left-behind;"
                        + " (sleep 600 </dev/null >/dev/null 2>&1 &); echo started");
        assertThat(maintenance.getStdout()).as(maintenance.getStderr()).contains("started");
        await("the admin job's processes and files gone from " + worker).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> processesOf(worker, TEACHER_UID).isEmpty()
                        && CLUSTER.workerExec(worker, "ls", "/tmp/left-behind").getExitCode() != 0);

        // A daemon the experiment forks inside its sandbox ends with the sandbox.
        JsonNode orphan = ScriptResult.parse(CLUSTER.python(BOB, "experiments/sandbox_edges.py", "orphan", "5"));
        assertThat(ScriptResult.longs(orphan.get("returns"))).containsExactly(5L);
        await("no cfiddle-orphan process on this host").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> hostProcessesNamed("cfiddle-orphan") == 0 && Sandboxes.of(CLUSTER).isEmpty());
    }

    @Test
    void oneStudentCannotTakeEveryWorker() {
        AtomicInteger mostRunning = new AtomicInteger();
        List<CompletableFuture<ExecResult>> runs = IntStream.range(0, 6)
                .mapToObj(i -> CompletableFuture.supplyAsync(
                        () -> CLUSTER.pythonOutcome(ALICE, "experiments/busy_experiments.py", "1", "8000", "hog" + i)))
                .toList();
        CompletableFuture<Void> all = CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new));
        await("alice's six experiments done").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            long running = CfiddleCluster.query(() -> CLUSTER.slurm().queue()).stream()
                    .filter(j -> j.user().equals(ALICE) && j.state().equals("RUNNING")).count();
            mostRunning.accumulateAndGet((int) running, Math::max);
            return all.isDone();
        });

        List<ExecResult> outcomes = runs.stream().map(CompletableFuture::join).toList();
        String everything = outcomes.stream().map(r -> r.getStdout() + r.getStderr()).reduce("", String::concat);
        assertThat(mostRunning.get()).as("alice's experiments running at once").isEqualTo(1);
        assertThat(outcomes.stream().filter(r -> r.getStdout().contains("RESULT"))).as(everything).hasSizeBetween(1, 4);
        assertThat(outcomes.stream().filter(r -> r.getStderr().contains("as many experiments queued or running")))
                .as(everything).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void theAccountingDatabaseIsOutOfReachOfStudentsAndWorkers() {
        for (String target : List.of("db/3306", "slurmdbd/6819")) {
            assertThat(CLUSTER.userNodeExec(ALICE, "bash", "-c", "timeout 5 bash -c '</dev/tcp/" + target + "'").getExitCode())
                    .as("user node reaches " + target).isNotZero();
            assertThat(CLUSTER.workerExec(CLUSTER.workerNames().get(0), "bash", "-c",
                    "timeout 5 bash -c '</dev/tcp/" + target + "'").getExitCode()).as("worker reaches " + target).isNotZero();
        }
        assertThat(CLUSTER.userNodeExec(ALICE, "bash", "-c", "timeout 5 bash -c '</dev/tcp/slurmctld/6817'").getExitCode())
                .as("the controller stays reachable").isZero();
    }

    @Test
    void aStudentReachesTheDashboardOnlyThroughTheHubsProxy() throws Exception {
        assertThat(CLUSTER.userNodeExec(ALICE, "bash", "-c", "timeout 5 bash -c '</dev/tcp/dashboard/8080'").getExitCode())
                .as("a student's process on the user node reaches the dashboard directly").isNotZero();
        // HTTP/1.1: the proxy closes the connection on Java's default h2c upgrade
        HttpResponse<String> viaProxy = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(CLUSTER.dashboardUrl() + "health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaProxy.statusCode()).as("the dashboard through the hub's proxy").isEqualTo(200);
    }

    @Test
    void anOutputFloodIsStoppedWithAClearErrorAndTheUserNodeStaysSmall() {
        JsonNode flood = ScriptResult.parse(CLUSTER.python(BOB, "experiments/sandbox_edges.py", "flood", "100"));
        assertThat(flood.get("error").get("message").asText()).contains("output limit").contains("16m");
        assertThat(flood.get("peak_rss_kib").asLong()).as("the submitter's peak memory, KiB").isLessThan(400 * 1024);
    }

    @Test
    void onlyAnOutOfMemoryKillIsBlamedOnMemory() {
        JsonNode memory = ScriptResult.parse(CLUSTER.python(BOB, "experiments/sandbox_edges.py", "memory", "2000"));
        assertThat(memory.get("error").get("message").asText()).contains("more than its 1g memory limit");

        JsonNode killall = ScriptResult.parse(CLUSTER.python(BOB, "experiments/sandbox_edges.py", "killall", "1"));
        assertThat(killall.get("error").get("message").asText()).contains("SIGKILL").contains("not for lack of memory")
                .doesNotContain("memory limit");
    }

    private static List<String> processesOf(String worker, int uid) {
        return CLUSTER.workerExec(worker, "ps", "-o", "pid=,args=", "-u", String.valueOf(uid)).getStdout().lines()
                .filter(l -> !l.isBlank()).toList();
    }

    /** Processes of this host (sandboxes' processes are this host's processes) with the given name. */
    private static long hostProcessesNamed(String name) throws IOException {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return Files.readString(p.resolve("comm")).strip().equals(name);
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }
}
