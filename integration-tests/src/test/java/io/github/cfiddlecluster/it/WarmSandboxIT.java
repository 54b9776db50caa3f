package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.TEACHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.TopContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.github.cfiddlecluster.slurm.SlurmJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * Each worker keeps one warm sandbox for its next job: started after the last job, with cfiddle imported, it waits
 * without using the CPU, serves exactly one job and goes; a missing or broken one means a cold start, which the
 * worker's log names.
 */
class WarmSandboxIT {
    private static final CfiddleCluster CLUSTER = SharedCluster.get();
    private static final Duration WARM_DEADLINE = Duration.ofSeconds(60);

    @Test
    void aWaitingSandboxUsesNoCpuAndServesOneJobOnly() {
        Map<String, WarmSandbox> before = awaitWarmOnEveryWorker();
        long lastJob = CLUSTER.lastJobId();
        SlurmJob job;
        Map<String, Sandboxes.Start> claimed;
        try (Sandboxes.Starts starts = Sandboxes.recordStarts(CLUSTER)) {
            runSweep(ALICE);
            job = CLUSTER.awaitFinishedJobsAfter(lastJob, 1).get(0);
            claimed = starts.awaitAll(List.of(before.get(job.nodes()).hostname()));
        }

        assertThat(claimed.values()).as("the warm sandbox of the job's worker was claimed by that job")
                .containsExactly(new Sandboxes.Start(job.nodes(), Long.toString(job.id()), true));
        String untouched = CLUSTER.workerNames().stream().filter(n -> !n.equals(job.nodes())).findFirst().orElseThrow();
        WarmSandbox after = WarmSandbox.of(Sandboxes.warm(CLUSTER, untouched).orElseThrow());
        assertThat(after.id()).as("the other worker's warm sandbox is the same one").isEqualTo(before.get(untouched).id());
        assertThat(after.cpuTicks()).as("CPU time of the other worker's waiting sandbox while the experiment ran")
                .isEqualTo(before.get(untouched).cpuTicks());
        assertThat(after.waitsForItsExperiment()).isTrue();

        await("the used sandbox removed, and a new warm one waiting on " + job.nodes()).atMost(WARM_DEADLINE)
                .pollInterval(Duration.ofMillis(200)).until(() -> !exists(before.get(job.nodes()).id())
                        && Sandboxes.warm(CLUSTER, job.nodes()).map(WarmSandbox::of)
                                .filter(w -> !w.id().equals(before.get(job.nodes()).id()))
                                .filter(WarmSandbox::waitsForItsExperiment).isPresent());
    }

    @Test
    void jobsInARowEachFindAWarmSandbox() {
        awaitWarmOnEveryWorker();
        long lastJob = CLUSTER.lastJobId();
        List<BusyRun> runs;
        Map<String, Sandboxes.Start> sandboxOf;
        try (Sandboxes.Starts starts = Sandboxes.recordStarts(CLUSTER)) {
            JsonNode report = ScriptResult.parse(CLUSTER.python(ALICE, "experiments/busy_experiments.py", "6", "0",
                    "/home/" + ALICE + "/in-a-row"));
            runs = BusyRun.all(report.get("runs"));
            sandboxOf = starts.awaitAll(runs.stream().map(BusyRun::sandboxHostname).toList());
        }

        List<SlurmJob> jobs = CLUSTER.awaitFinishedJobsAfter(lastJob, 6);
        assertThat(runs).extracting(BusyRun::sandboxHostname).doesNotHaveDuplicates().hasSize(6);
        assertThat(sandboxOf.values()).as("each of six jobs in a row, as soon as the one before ended")
                .extracting(Sandboxes.Start::job, Sandboxes.Start::warm)
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(j -> Tuple.tuple(Long.toString(j.id()), true)).toList());
    }

    @Test
    void aMissingOrBrokenWarmSandboxMeansAColdStartThatTheWorkerLogs() {
        Map<String, WarmSandbox> warm = awaitWarmOnEveryWorker();
        List<String> workers = CLUSTER.workerNames();
        // Whichever worker takes the job, it has no usable warm sandbox: one has exited, the other is gone.
        String broken = workers.get(0);
        String missing = workers.get(1);
        DockerClientFactory.instance().client().killContainerCmd(warm.get(broken).id()).exec();
        DockerClientFactory.instance().client().removeContainerCmd(warm.get(missing).id()).withForce(true).exec();
        long lastJob = CLUSTER.lastJobId();

        runSweep(BOB);

        SlurmJob job = CLUSTER.awaitFinishedJobsAfter(lastJob, 1).get(0);
        String log = CLUSTER.workerLog(job.nodes());
        String expected = job.nodes().equals(broken) ? "the warm sandbox on " + broken + " was not usable"
                : "no warm sandbox on " + missing;
        assertThat(log.lines().filter(l -> l.contains("-job" + job.id() + "-")))
                .as("the worker's log on the cold start of job " + job.id())
                .anySatisfy(line -> assertThat(line).contains(expected).contains("cold start"));
        await("a new warm sandbox waiting on " + job.nodes() + " after the job").atMost(WARM_DEADLINE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Sandboxes.warm(CLUSTER, job.nodes()).map(WarmSandbox::of)
                        .filter(WarmSandbox::waitsForItsExperiment).isPresent());

        // The other worker gets its warm sandbox back after its next job: an admin's, sent there, for the suites after.
        String other = job.nodes().equals(broken) ? missing : broken;
        assertThat(CLUSTER.userNodeExec(TEACHER, "srun", "--quiet", "--nodelist=" + other, "true").getExitCode()).isZero();
        awaitWarmOnEveryWorker();
    }

    private static void runSweep(String user) {
        JsonNode result = ScriptResult.parse(CLUSTER.python(user, "experiments/sweep.py"));
        assertThat(ScriptResult.longs(result.get("returns")))
                .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList());
    }

    private static Map<String, WarmSandbox> awaitWarmOnEveryWorker() {
        return await("a warm sandbox waiting for its experiment on every worker").atMost(WARM_DEADLINE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> CLUSTER.workerNames().stream().map(n -> Sandboxes.warm(CLUSTER, n).map(WarmSandbox::of))
                        .filter(w -> w.isPresent() && w.get().waitsForItsExperiment()).map(w -> w.get()).toList(),
                        list -> list.size() == CLUSTER.workerNames().size())
                .stream().collect(Collectors.toMap(WarmSandbox::node, Function.identity()));
    }

    private static boolean exists(String containerId) {
        return !DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withIdFilter(List.of(containerId)).exec().isEmpty();
    }

    /**
     * A warm sandbox as the host's kernel sees it: its processes' CPU time so far, and whether its runner is blocked
     * reading its stdin (the experiment has not come: Python and cfiddle are imported, nothing runs).
     */
    record WarmSandbox(String id, String node, long cpuTicks, boolean waitsForItsExperiment) {
        private static final int READ_SYSCALL = 0; // x86_64

        String hostname() {
            return id.substring(0, 12);
        }

        static WarmSandbox of(Container container) {
            String node = container.getLabels().get(Sandboxes.NODE_LABEL);
            if (!"running".equals(container.getState())) {
                return new WarmSandbox(container.getId(), node, -1, false);
            }
            TopContainerResponse top = DockerClientFactory.instance().client().topContainerCmd(container.getId()).exec();
            int pidColumn = Arrays.asList(top.getTitles()).indexOf("PID");
            int cmdColumn = Arrays.asList(top.getTitles()).indexOf("CMD");
            long ticks = 0;
            boolean waiting = false;
            for (String[] process : top.getProcesses()) {
                String pid = process[pidColumn];
                ticks += cpuTicks(pid);
                if (process[cmdColumn].contains("cfiddle-sandbox-run")) {
                    // "NR ARG1 ...": blocked in that call; "running" while it runs.
                    String[] syscall = read("/proc/" + pid + "/syscall").split(" ");
                    waiting = syscall.length > 1 && syscall[0].equals(Integer.toString(READ_SYSCALL))
                            && syscall[1].equals("0x0");
                }
            }
            return new WarmSandbox(container.getId(), node, ticks, waiting);
        }

        /** utime + stime (fields 14 and 15 of /proc/PID/stat, counted after the command's closing parenthesis). */
        private static long cpuTicks(String pid) {
            String stat = read("/proc/" + pid + "/stat");
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }

        private static String read(String path) {
            try {
                return Files.readString(Path.of(path)).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
