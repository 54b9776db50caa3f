package io.github.cfiddlecluster.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.slurm.SlurmJob;
import io.github.cfiddlecluster.slurm.SlurmNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard relies on in Slurm's outputs, as recorded on a real cluster (see {@link Recorded}). */
class RecordedClusterTest {

    @Test
    void runningAndWaitingJobsInSlurmsOrderWithOwnersWorkersAndLimits() throws Exception {
        List<SlurmJob> jobs = Recorded.queue("squeue-running-and-pending.json");
        assertThat(jobs).extracting(SlurmJob::id, SlurmJob::user, SlurmJob::state, SlurmJob::nodes).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, "alice", "RUNNING", "worker2"),
                org.assertj.core.groups.Tuple.tuple(2L, "bob", "RUNNING", "worker1"),
                org.assertj.core.groups.Tuple.tuple(3L, "student", "PENDING", ""));
        SlurmJob waiting = jobs.get(2);
        assertThat(waiting.reason()).isEqualTo("Resources");
        assertThat(waiting.started()).isNull();
        assertThat(waiting.priority()).as("submitted last, lowest").isLessThan(jobs.get(1).priority());
        assertThat(jobs.get(0).timeLimit()).as("the cluster's 0:30, in Slurm's whole minutes").isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void drainedAndDownWorkersWithTheirReasonAndSinceWhen() throws Exception {
        SlurmNode drained = node("sinfo-one-drained.json", "worker2");
        assertThat(drained.state()).isEqualTo("idle");
        assertThat(drained.drained()).isTrue();
        assertThat(drained.available()).isFalse();
        assertThat(drained.reason()).isEqualTo("maintenance by the admin");
        assertThat(drained.reasonSince()).isNotNull();
        SlurmNode down = node("sinfo-one-down.json", "worker2");
        assertThat(down.state()).isEqualTo("down");
        assertThat(down.reason()).isEqualTo("gone");
        SlurmNode idle = node("sinfo-one-down.json", "worker1");
        assertThat(idle.idle()).isTrue();
        assertThat(idle.lastBusy()).isNotNull();
        assertThat(node("sinfo-two-busy.json", "worker1").state()).isEqualTo("allocated");
    }

    @Test
    void accountingHasEveryUsersDay() throws Exception {
        List<SlurmJob> day = Recorded.accounting("sacct-day.json");
        assertThat(day).hasSize(6).extracting(SlurmJob::user).containsOnly("alice", "bob", "student");
        // each experiment kept its worker busy for 6 s
        assertThat(day).allSatisfy(j -> assertThat(j.elapsed(Instant.now())).isBetween(Duration.ofSeconds(6), Duration.ofSeconds(30)));
    }

    @Test
    void aStudentsOwnSqueueShowsOnlyTheirJobsWhichIsWhyTheDashboardAsksAsSlurmUser() throws Exception {
        assertThat(Recorded.queue("squeue-as-alice.json")).isNotEmpty().extracting(SlurmJob::user).containsOnly("alice");
        assertThat(Recorded.queue("squeue-empty.json")).extracting(SlurmJob::user).contains("alice", "bob", "student");
    }

    private static SlurmNode node(String recording, String name) throws Exception {
        return Recorded.nodes(recording).stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }
}
