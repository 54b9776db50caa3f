package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.SlurmNode;
import java.util.Set;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.deploy.Readiness.ServiceState;
import io.github.cfiddlecluster.deploy.Readiness.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessWaiterTest {
    private final FakeTime time = new FakeTime();
    private final List<String> logged = new ArrayList<>();
    private final DeployLog log = new DeployLog() {
        @Override public void info(String message) { logged.add(message); }
        @Override public void warn(String message) { logged.add(message); }
        @Override public void debug(String message) {}
    };
    private final ReadinessWaiter waiter = new ReadinessWaiter(time, time, Duration.ofMillis(500), log);

    private static Snapshot workers(int ready, int of) {
        List<String> names = new ArrayList<>();
        Map<String, SlurmNode> states = new java.util.HashMap<>();
        for (int i = 1; i <= of; i++) {
            names.add("w" + i);
            states.put("w" + i, new SlurmNode("w" + i, i <= ready ? "idle" : "down", Set.of(), "", List.of(), null));
        }
        return new Snapshot(List.of(new ServiceState("worker", of, of, null, null)), names, states);
    }

    /** A probe answering the given looks in turn, then repeating the last. */
    private static ReadinessWaiter.Probe looks(Snapshot... snapshots) {
        Iterator<Snapshot> it = List.of(snapshots).iterator();
        Snapshot[] last = new Snapshot[1];
        return () -> last[0] = it.hasNext() ? it.next() : last[0];
    }

    @Test
    void waitsUntilReadyTwiceInARowAndLogsEachChange() throws Exception {
        ReadinessWaiter.Outcome outcome = waiter.await(
                looks(workers(0, 2), workers(0, 2), workers(1, 2), workers(2, 2)), Duration.ofSeconds(60));
        assertThat(outcome.ready()).isTrue();
        assertThat(outcome.elapsed()).isEqualTo(Duration.ofMillis(2000));
        assertThat(logged).hasSize(3);
        assertThat(logged.get(1)).contains("workers ready 1/2 (w2 down)");
        assertThat(logged.get(2)).startsWith("[  1.5s]").contains("workers ready 2/2");
    }

    @Test
    void aReadyLookThatDoesNotLastIsNotEnough() throws Exception {
        ReadinessWaiter.Outcome outcome = waiter.await(
                looks(workers(1, 1), workers(0, 1), workers(1, 1)), Duration.ofSeconds(60));
        assertThat(outcome.ready()).isTrue();
        assertThat(time.slept).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void givesUpAtTheDeadlineWithTheLastLook() throws Exception {
        ReadinessWaiter.Outcome outcome = waiter.await(looks(workers(0, 2), workers(1, 2)), Duration.ofSeconds(10));
        assertThat(outcome.ready()).isFalse();
        assertThat(outcome.elapsed()).isEqualTo(Duration.ofSeconds(10));
        assertThat(outcome.last().readyWorkers()).containsExactly("w1");
        assertThat(time.slept).isEqualTo(Duration.ofSeconds(10));
    }
}
