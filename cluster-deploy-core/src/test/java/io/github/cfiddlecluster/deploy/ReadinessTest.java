package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.deploy.Readiness.ServiceState;
import io.github.cfiddlecluster.deploy.Readiness.Snapshot;
import io.github.cfiddlecluster.slurm.SlurmNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    private static List<ServiceState> allRunning() {
        return List.of(new ServiceState("db", 1, 1, null, null), new ServiceState("worker", 2, 2, "completed", null));
    }

    /** Slurm's nodes from "name state[+FLAG...]" words. */
    private static Map<String, SlurmNode> slurm(String... nodes) {
        Map<String, SlurmNode> byName = new TreeMap<>();
        for (String node : nodes) {
            String[] f = node.split("[ +]");
            byName.put(f[0], new SlurmNode(f[0], f[1], Set.of(Arrays.copyOfRange(f, 2, f.length)), "", List.of("cfiddle"), null));
        }
        return byName;
    }

    @Test
    void readyWhenEveryServiceRunsAndEveryWorkerIsIdle() {
        assertThat(new Snapshot(allRunning(), List.of("w1", "w2"), slurm("w1 idle+DYNAMIC_NORM", "w2 allocated")).ready())
                .isTrue();
    }

    @Test
    void notReadyWhileAWorkerIsUnknownToSlurmOrNotResponding() {
        assertThat(new Snapshot(allRunning(), List.of("w1", "w2"), slurm("w1 idle")).ready()).isFalse();
        assertThat(new Snapshot(allRunning(), List.of("w1", "w2"), slurm("w1 idle", "w2 idle+NOT_RESPONDING")).ready())
                .isFalse();
        assertThat(new Snapshot(allRunning(), List.of("w1"), slurm("w1 idle+DRAIN")).ready()).isFalse();
    }

    @Test
    void notReadyWithoutWorkers() {
        assertThat(new Snapshot(allRunning(), List.of(), slurm()).ready()).isFalse();
    }

    @Test
    void notReadyWhileAServiceUpdates() {
        List<ServiceState> updating = List.of(new ServiceState("db", 1, 1, "updating", null));
        assertThat(new Snapshot(updating, List.of("w1"), slurm("w1 idle")).ready()).isFalse();
    }

    @Test
    void withoutSlurmTheWorkersHealthchecksVouch() {
        assertThat(new Snapshot(allRunning(), List.of("w1"), null).ready()).isTrue();
    }

    @Test
    void progressNamesWhatItWaitsFor() {
        Snapshot s = new Snapshot(List.of(new ServiceState("db", 1, 1, null, null),
                new ServiceState("slurmctld", 0, 1, "updating", "starting")), List.of("w1", "w2"), slurm("w1 idle", "w2 down+NOT_RESPONDING"));
        assertThat(s.progress()).isEqualTo("services ready 1/2 (waiting for slurmctld 0/1 (update updating, starting));"
                + " workers ready 1/2 (w2 down+not_responding)");
        assertThat(s.firstWaiting().name()).isEqualTo("slurmctld");
    }
}
