package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults of the cluster's own parts, each ending in a clear answer: a worker dying under an experiment, the
 * controller or the accounting database restarting, a node with the wrong key. A cluster of its own, since these
 * tests break it on purpose.
 */
class ClusterFaultsIT {
    private static final String CAROL = "carol";
    private static final String DAVE = "dave";
    private static final CfiddleCluster CLUSTER = startCluster();

    private static CfiddleCluster startCluster() {
        CfiddleCluster cluster = new CfiddleCluster().withWorkers(2).withUser(CAROL, 2101).withUser(DAVE, 2102)
                .withTimeLimit("5");
        cluster.start();
        return cluster;
    }

    @AfterAll
    static void stopCluster() {
        CLUSTER.stop();
    }

    @BeforeEach
    void everyWorkerIsIdle() {
        CLUSTER.awaitWorkersIdle();
    }

    @Test
    void aWorkerLostUnderAnExperimentGivesAClearErrorWithinAMinute() {
        CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(
                () -> ScriptResult.parse(CLUSTER.python(CAROL, "experiments/bad_input.py", "infinite_loop")));
        String node = await("carol's sandbox running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (running.isDone()) {
                        throw new AssertionError("the experiment ended before its worker was lost: " + running.join());
                    }
                    return Sandboxes.runningOfUid(CLUSTER, 2101).stream().map(c -> c.getLabels().get("cfiddle.node")).findFirst();
                }, java.util.Optional::isPresent).orElseThrow();

        long lost = System.nanoTime();
        CLUSTER.replaceWorker(node);
        JsonNode result = running.join();
        long seconds = (System.nanoTime() - lost) / 1_000_000_000L;

        assertThat(seconds).as("seconds from the worker's death to the student's error").isLessThanOrEqualTo(60);
        assertThat(result.get("error").get("type").asText()).isEqualTo("ClusterRunError");
        assertThat(result.get("error").get("message").asText()).contains("worker " + node + " stopped");
        assertThat(ScriptResult.longs(result.get("after"))).containsExactly(ScriptResult.polynomial(7));
        CLUSTER.awaitWorkersIdle();
        await("no sandbox left, the lost experiment's included").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).until(() -> Sandboxes.of(CLUSTER).isEmpty());
    }

    @Test
    void experimentsQueuedAndRunningWhileTheControllerRestartsAllComplete() {
        List<CompletableFuture<JsonNode>> submitters = Stream.of(CAROL, DAVE, CfiddleCluster.STUDENT)
                .map(user -> CompletableFuture.supplyAsync(() -> ScriptResult.parse(
                        CLUSTER.python(user, "experiments/busy_experiments.py", "3", "3000", "restart-" + user))))
                .toList();
        await("experiments running and one waiting").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> CfiddleCluster.query(() -> CLUSTER.slurm().queue()).stream()
                        .anyMatch(j -> j.state().equals("PENDING")));

        CLUSTER.restartController();

        submitters.forEach(s -> assertThat(ScriptResult.longs(s.join().get("returns"))).containsExactly(0L, 1L, 2L));
        CLUSTER.awaitWorkersIdle();
    }

    @Test
    void accountingLosesNoJobWhenTheDatabaseRestarts() {
        long lastJob = CLUSTER.lastJobId();
        CompletableFuture<JsonNode> submitter = CompletableFuture.supplyAsync(() -> ScriptResult.parse(
                CLUSTER.python(DAVE, "experiments/busy_experiments.py", "4", "1000", "accounting")));

        CLUSTER.restartAccounting();

        assertThat(ScriptResult.longs(submitter.join().get("returns"))).containsExactly(0L, 1L, 2L, 3L);
        assertThat(CLUSTER.awaitFinishedJobsAfter(lastJob, 4)).hasSize(4)
                .allSatisfy(job -> assertThat(job.user()).isEqualTo(DAVE))
                .allSatisfy(job -> assertThat(job.state()).isEqualTo("COMPLETED"));
    }

    @Test
    void aWorkerWithAnotherMungeKeySaysSoAndStops() {
        String log = CLUSTER.runWorkerWithForeignKey("worker9");

        assertThat(log).contains("munge key is not the cluster's");
        assertThat(log.lines().filter(l -> l.contains("munge key"))).hasSize(1);
    }
}
