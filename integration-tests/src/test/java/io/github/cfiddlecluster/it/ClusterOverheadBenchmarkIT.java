package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a timed test: prints what one run() costs through the cluster compared with the same run()
 * on the user node (p50 and p95 of N runs on an idle cluster). Target: p50 +0.5 s, p95 +1.0 s at most.
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
        System.out.printf("%n== BENCHMARK run() overhead, %d runs each (seconds)%n", RUNS);
        System.out.printf("   local on the user node   p50 %.3f  p95 %.3f%n", percentile(local, 50), percentile(local, 95));
        System.out.printf("   through the cluster      p50 %.3f  p95 %.3f%n", percentile(viaCluster, 50), percentile(viaCluster, 95));
        System.out.printf("   overhead                 p50 %+.3f  p95 %+.3f   (target p50 <= +0.5, p95 <= +1.0)%n%n",
                percentile(viaCluster, 50) - percentile(local, 50), percentile(viaCluster, 95) - percentile(local, 95));
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
