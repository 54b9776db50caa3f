package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.deploy.Readiness.ServiceState;
import io.github.cfiddlecluster.deploy.Readiness.Snapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    private static List<ServiceState> allRunning() {
        return List.of(new ServiceState("db", 1, 1, null, null), new ServiceState("worker", 2, 2, "completed", null));
    }

    @Test
    void parsesSinfo() {
        assertThat(Readiness.parseSinfo("w1 idle\nw2 down*\n\n  w3   MIXED \n"))
                .containsExactly(Map.entry("w1", "idle"), Map.entry("w2", "down*"), Map.entry("w3", "mixed"));
    }

    @Test
    void readyWhenEveryServiceRunsAndEveryWorkerIsIdle() {
        assertThat(new Snapshot(allRunning(), List.of("w1", "w2"), Map.of("w1", "idle", "w2", "allocated")).ready())
                .isTrue();
    }

    @Test
    void notReadyWhileAWorkerIsUnknownToSlurmOrNotResponding() {
        assertThat(new Snapshot(allRunning(), List.of("w1", "w2"), Map.of("w1", "idle")).ready()).isFalse();
        assertThat(new Snapshot(allRunning(), List.of("w1", "w2"), Map.of("w1", "idle", "w2", "idle*")).ready())
                .isFalse();
    }

    @Test
    void notReadyWithoutWorkers() {
        assertThat(new Snapshot(allRunning(), List.of(), Map.of()).ready()).isFalse();
    }

    @Test
    void notReadyWhileAServiceUpdates() {
        List<ServiceState> updating = List.of(new ServiceState("db", 1, 1, "updating", null));
        assertThat(new Snapshot(updating, List.of("w1"), Map.of("w1", "idle")).ready()).isFalse();
    }

    @Test
    void withoutSlurmTheWorkersHealthchecksVouch() {
        assertThat(new Snapshot(allRunning(), List.of("w1"), null).ready()).isTrue();
    }

    @Test
    void progressNamesWhatItWaitsFor() {
        Snapshot s = new Snapshot(List.of(new ServiceState("db", 1, 1, null, null),
                new ServiceState("slurmctld", 0, 1, "updating", "starting")), List.of("w1", "w2"), Map.of("w1", "idle"));
        assertThat(s.progress()).isEqualTo("services ready 1/2 (waiting for slurmctld 0/1 (update updating, starting));"
                + " workers ready 1/2 (w2 not registered)");
        assertThat(s.firstWaiting().name()).isEqualTo("slurmctld");
    }
}
