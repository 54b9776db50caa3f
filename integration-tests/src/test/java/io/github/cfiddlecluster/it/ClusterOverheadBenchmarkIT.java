package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a timed test: prints what one run() costs through the cluster compared with the same run()
 * on the user node (p50 and p95 of N runs on an idle cluster) and writes target/benchmarks/overhead.json.
 * Targets (issue 10, warm sandboxes): cluster p50 <= local p50, cluster p95 <= 1.2 x local p95.
 */
class ClusterOverheadBenchmarkIT {
    private static final int RUNS = 20;

    @Test
    void printsTheOverheadOfOneRunThroughTheCluster() {
        CfiddleCluster cluster = SharedCluster.get();
        cluster.awaitWorkersIdle();

        JsonNode times = ScriptResult.parse(cluster.python(SharedCluster.ALICE, "experiments/timed_runs.py", String.valueOf(RUNS)));

        List<Double> local = ScriptResult.doubles(times.get("local")).stream().sorted().toList();
        List<Double> viaCluster = ScriptResult.doubles(times.get("cluster")).stream().sorted().toList();
        assertThat(local).hasSize(RUNS);
        assertThat(viaCluster).hasSize(RUNS);
        double localP50 = Benchmarks.percentile(local, 50);
        double localP95 = Benchmarks.percentile(local, 95);
        double clusterP50 = Benchmarks.percentile(viaCluster, 50);
        double clusterP95 = Benchmarks.percentile(viaCluster, 95);
        System.out.printf("%n== BENCHMARK run() overhead, %d runs each (seconds)%n", RUNS);
        System.out.printf("   local on the user node   p50 %.3f  p95 %.3f%n", localP50, localP95);
        System.out.printf("   through the cluster      p50 %.3f  p95 %.3f%n", clusterP50, clusterP95);
        System.out.printf("   cluster / local          p50 %.2f   p95 %.2f   (targets: p50 <= 1.0, p95 <= 1.2)%n%n",
                clusterP50 / localP50, clusterP95 / localP95);
        Benchmarks.write("overhead", Benchmarks.figures("runs", RUNS, "local_seconds", local, "cluster_seconds", viaCluster,
                "local_p50", localP50, "local_p95", localP95, "cluster_p50", clusterP50, "cluster_p95", clusterP95,
                "ratio_p50", clusterP50 / localP50, "ratio_p95", clusterP95 / localP95));
    }

    @Test
    void printsWhereTheTimeOfOneRunGoes() {
        CfiddleCluster cluster = SharedCluster.get();
        cluster.awaitWorkersIdle();

        JsonNode profile = ScriptResult.parse(cluster.python(SharedCluster.ALICE, "experiments/profile_run.py", String.valueOf(RUNS)));

        System.out.printf("%n== BENCHMARK where one run() goes, p50 of %d runs of an empty experiment (seconds)%n", RUNS);
        System.out.printf("   %-8s %8s %8s %8s %8s%n", "", "to", "in", "back", "total");
        Map<String, Object> figures = new java.util.LinkedHashMap<>();
        for (String path : List.of("local", "cluster")) {
            Map<String, Double> p50 = new java.util.LinkedHashMap<>();
            for (String phase : List.of("to", "in", "back", "total")) {
                List<Double> values = new java.util.ArrayList<>();
                profile.get(path).forEach(run -> values.add(run.get(phase).asDouble()));
                assertThat(values).hasSize(RUNS);
                p50.put(phase, Benchmarks.percentile(values.stream().sorted().toList(), 50));
            }
            System.out.printf("   %-8s %8.3f %8.3f %8.3f %8.3f%n", path, p50.get("to"), p50.get("in"), p50.get("back"),
                    p50.get("total"));
            figures.put(path + "_p50", p50);
        }
        System.out.println("   to: run() call to the experiment's start; in: the experiment; back: its end to run() returning");
        Benchmarks.write("run-profile", figures);
    }
}
