package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (profile {@code burst}, not a timed test): 20 students each run 10 experiments of 1 s in a row on a
 * cluster of 2 workers, all released at the same moment once every student has built. Prints and writes to
 * target/benchmarks/burst.json the makespan against the ideal (all experiment time spread over the workers), the
 * p50/p95 wait from a run() call to its experiment's start, and what must be zero: wrong results, experiments
 * that overlapped on a worker, sandboxes that served two experiments. Target (issue 10): makespan / ideal <= 1.5.
 */
class BurstBenchmarkIT {
    // Smaller bursts for a quick look: -Dburst.students=4 -Dburst.experiments=5 (the target is for 20 x 10).
    private static final int STUDENTS = Integer.getInteger("burst.students", 20);
    private static final int EXPERIMENTS = Integer.getInteger("burst.experiments", 10);
    private static final int MILLIS = 1000;
    private static final int WORKERS = 2;
    private static final String BARRIER = "/tmp/burst";
    private static final Duration BUILD_DEADLINE = Duration.ofMinutes(5);

    @Test
    void printsMakespanWaitsAndOverlapsOfABurst() {
        List<String> students = IntStream.rangeClosed(1, STUDENTS).mapToObj(i -> String.format("student%02d", i)).toList();
        CfiddleCluster cluster = new CfiddleCluster().withWorkers(WORKERS);
        students.forEach(s -> cluster.withUser(s, 3000 + students.indexOf(s) + 1));
        // A thread per student: they all wait at the barrier, so a smaller pool would never release them.
        ExecutorService studentThreads = Executors.newFixedThreadPool(STUDENTS);
        try (cluster) {
            cluster.start();
            cluster.userNodeExec("root", "install", "-d", "-m", "1777", BARRIER);
            List<CompletableFuture<JsonNode>> submitters = students.stream()
                    .map(s -> CompletableFuture.supplyAsync(() -> ScriptResult.parse(cluster.python(s,
                            "experiments/burst_student.py", String.valueOf(EXPERIMENTS), String.valueOf(MILLIS),
                            "/home/" + s + "/burst", BARRIER + "/ready-" + s, BARRIER + "/go")), studentThreads))
                    .toList();
            await("every student built the experiment").atMost(BUILD_DEADLINE).pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.userNodeExec("root", "ls", BARRIER).getStdout().lines()
                            .filter(f -> f.startsWith("ready-")).count() == STUDENTS);

            List<BusyRun> runs = new ArrayList<>();
            Map<BusyRun, Long> submitted = new LinkedHashMap<>();
            long wrongResults = 0;
            double userNodeCpu = 0;
            Map<String, List<BusyRun>> byWorker;
            Map<String, Object> gapProfile;
            try (Sandboxes.Starts starts = Sandboxes.recordStarts(cluster)) {
                cluster.userNodeExec("root", "touch", BARRIER + "/go");
                for (CompletableFuture<JsonNode> submitter : submitters) {
                    JsonNode report = submitter.join();
                    List<Long> expected = LongStream.range(0, EXPERIMENTS).boxed().toList();
                    wrongResults += IntStream.range(0, EXPERIMENTS)
                            .filter(i -> report.get("returns").size() <= i
                                    || report.get("returns").get(i).asLong() != expected.get(i))
                            .count();
                    userNodeCpu += report.get("cpu_seconds_self").asDouble() + report.get("cpu_seconds_srun").asDouble();
                    List<BusyRun> own = BusyRun.all(report.get("runs"));
                    for (int i = 0; i < own.size(); i++) {
                        submitted.put(own.get(i), report.get("runs").get(i).get("submitted_ns").asLong());
                    }
                    runs.addAll(own);
                }
                Map<String, Sandboxes.Start> sandboxOf = starts.awaitAll(runs.stream().map(BusyRun::sandboxHostname).toList());
                // Each worker's experiments in the order they ran.
                byWorker = runs.stream().sorted(Comparator.comparingLong(BusyRun::startedNanos))
                        .collect(Collectors.groupingBy(r -> sandboxOf.get(r.sandboxHostname()).node()));
                gapProfile = gapProfile(byWorker, starts);
            }

            long first = submitted.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = runs.stream().mapToLong(BusyRun::endedNanos).max().orElseThrow();
            double makespan = (last - first) / 1e9;
            double ideal = (double) STUDENTS * EXPERIMENTS * MILLIS / 1000 / WORKERS;
            List<Double> waits = runs.stream().map(r -> (r.startedNanos() - submitted.get(r)) / 1e9).sorted().toList();
            long overlaps = byWorker.values().stream().mapToLong(BurstBenchmarkIT::overlappingPairs).sum();
            long reusedSandboxes = runs.size() - runs.stream().map(BusyRun::sandboxHostname).distinct().count();

            System.out.printf("%n== BENCHMARK burst: %d students x %d experiments x %d ms on %d workers%n",
                    STUDENTS, EXPERIMENTS, MILLIS, WORKERS);
            System.out.printf("   makespan %.1f s, ideal %.1f s, makespan / ideal %.2f (target <= 1.5)%n",
                    makespan, ideal, makespan / ideal);
            System.out.printf("   wait from run() to experiment start: p50 %.2f s, p95 %.2f s%n",
                    Benchmarks.percentile(waits, 50), Benchmarks.percentile(waits, 95));
            System.out.printf("   between two experiments on a worker (p50 s): %s%n", gapProfile);
            System.out.printf("   CPU of a run() on the user node (the student's process and its srun): %.3f s%n",
                    userNodeCpu / runs.size());
            System.out.printf("   experiments per worker %s; wrong results %d, overlaps %d, sandboxes reused %d%n%n",
                    byWorker.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())),
                    wrongResults, overlaps, reusedSandboxes);
            Benchmarks.write("burst", Benchmarks.figures("students", STUDENTS, "experiments_per_student", EXPERIMENTS,
                    "experiment_ms", MILLIS, "workers", WORKERS, "makespan_seconds", makespan, "ideal_seconds", ideal,
                    "makespan_over_ideal", makespan / ideal, "wait_p50_seconds", Benchmarks.percentile(waits, 50),
                    "wait_p95_seconds", Benchmarks.percentile(waits, 95), "wrong_results", wrongResults,
                    "overlaps", overlaps, "sandboxes_reused", reusedSandboxes, "gap_p50_seconds", gapProfile,
                    "user_node_cpu_seconds_per_run", userNodeCpu / runs.size()));

            assertThat(runs).hasSize(STUDENTS * EXPERIMENTS);
            assertThat(wrongResults).isZero();
            assertThat(overlaps).isZero();
            assertThat(reusedSandboxes).isZero();
        } finally {
            studentThreads.shutdownNow();
        }
    }

    /**
     * Where the time goes between one experiment's end and the next one's start on the same worker (p50 of each
     * step, seconds), from the engine's events for the next job's warm sandbox: the first sandbox ends (results
     * out), the epilog creates and starts the next warm one, the next job claims it (renames it), its experiment
     * starts. Pairs whose second experiment started cold are left out.
     */
    private static Map<String, Object> gapProfile(Map<String, List<BusyRun>> byWorker, Sandboxes.Starts events) {
        String[] steps = {"results_out_sandbox_ends", "job_end_to_warm_create", "warm_create_to_start",
                "warm_start_to_claim", "claim_to_experiment_start", "total"};
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (String step : steps) {
            seconds.put(step, new ArrayList<>());
        }
        for (List<BusyRun> onWorker : byWorker.values()) {
            for (int i = 1; i < onWorker.size(); i++) {
                BusyRun first = onWorker.get(i - 1);
                String next = onWorker.get(i).sandboxHostname();
                Optional<Long> died = events.nanos(first.sandboxHostname(), "die");
                Optional<Long> created = events.nanos(next, "create");
                Optional<Long> started = events.nanos(next, "start");
                Optional<Long> claimed = events.nanos(next, "rename");
                if (died.isEmpty() || created.isEmpty() || started.isEmpty() || claimed.isEmpty()) {
                    continue;
                }
                long[] marks = {first.endedNanos(), died.get(), created.get(), started.get(), claimed.get(),
                        onWorker.get(i).startedNanos()};
                for (int step = 0; step < marks.length - 1; step++) {
                    seconds.get(steps[step]).add((marks[step + 1] - marks[step]) / 1e9);
                }
                seconds.get("total").add((marks[marks.length - 1] - marks[0]) / 1e9);
            }
        }
        Map<String, Object> p50 = new LinkedHashMap<>();
        seconds.forEach((step, values) -> p50.put(step, values.isEmpty() ? null
                : Math.round(Benchmarks.percentile(values.stream().sorted().toList(), 50) * 1000) / 1000.0));
        p50.put("pairs", seconds.get("total").size());
        return p50;
    }

    private static long overlappingPairs(List<BusyRun> runs) {
        return IntStream.range(0, runs.size())
                .mapToLong(i -> IntStream.range(i + 1, runs.size()).filter(j -> runs.get(i).overlaps(runs.get(j))).count())
                .sum();
    }
}
