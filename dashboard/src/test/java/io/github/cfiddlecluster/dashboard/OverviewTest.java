package io.github.cfiddlecluster.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cfiddlecluster.dashboard.Overview.QueueEntry;
import io.github.cfiddlecluster.dashboard.Overview.WorkerView;
import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a student and an admin see of the recorded cluster. */
class OverviewTest {
    private final ObjectMapper json = DashboardServer.jsonMapper();

    private static ClusterState busy() throws Exception {
        List<SlurmJob> day = Recorded.accounting("sacct-day.json");
        return new ClusterState(Recorded.nodes("sinfo-two-busy.json"), Recorded.queue("squeue-running-and-pending.json"),
                day, Instant.now(), null, null, null);
    }

    private static Instant during(ClusterState state) {
        return state.queue().get(0).started().plusSeconds(2);
    }

    @Test
    void aStudentSeesTheirOwnExperimentFirstWithItsPlaceAndEstimate() throws Exception {
        ClusterState state = busy();
        Overview o = Overview.of(state, new Viewer("student", false), during(state), 1);

        assertThat(o.yours()).hasSize(1);
        QueueEntry mine = o.yours().get(0);
        assertThat(mine.experiment().id()).isEqualTo(3L);
        assertThat(mine.experiment().yours()).isTrue();
        assertThat(mine.position()).isEqualTo(1);
        assertThat(mine.estimatedStart()).isAfter(during(state));
        assertThat(mine.reason()).isEqualTo("Resources");
        assertThat(o.queue()).extracting(QueueEntry::state).containsExactly("RUNNING", "RUNNING", "PENDING");
    }

    @Test
    void aStudentSeesNeitherTheNamesNorTheJobsOfOthers() throws Exception {
        ClusterState state = busy();
        Overview o = Overview.of(state, new Viewer("student", false), during(state), 1);

        assertThat(o.workers()).extracting(WorkerView::state).containsOnly("running");
        assertThat(o.workers()).allSatisfy(w -> {
            assertThat(w.experiment().yours()).isFalse();
            assertThat(w.experiment().id()).isNull();
            assertThat(w.experiment().user()).isNull();
            assertThat(w.since()).isNotNull();
        });
        String everything = json.writeValueAsString(o);
        assertThat(everything).doesNotContain("alice").doesNotContain("bob");
        assertThat(o.history().users()).extracting(Overview.UserTotals::user).containsExactly("student");
        assertThat(o.history().series()).extracting(Overview.Series::label).containsExactly("you", "others");
        assertThat(o.history().everyone().experiments()).isEqualTo(6);
    }

    @Test
    void anAdminSeesEveryonesJobsAndHistoryPerUser() throws Exception {
        ClusterState state = busy();
        Overview o = Overview.of(state, new Viewer("teacher", true), during(state), 1);

        assertThat(o.workers()).extracting(w -> w.experiment().user()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(o.yours()).isEmpty();
        assertThat(o.history().series()).extracting(Overview.Series::label).containsExactly("alice", "bob", "student");
        assertThat(o.history().users()).extracting(Overview.UserTotals::experiments).containsOnly(2);
        int startedToday = o.history().series().stream().mapToInt(s -> Arrays.stream(s.counts()).sum()).sum();
        assertThat(startedToday).isEqualTo(6);
        assertThat(o.history().everyone().completed()).isEqualTo(6);
        assertThat(o.history().typicalRunSeconds()).isBetween(6L, 30L);
    }

    @Test
    void drainedAndDownWorkersTakeNoJobAndSaySinceWhen() throws Exception {
        ClusterState drained = new ClusterState(Recorded.nodes("sinfo-one-drained.json"), List.of(), List.of(),
                Instant.now(), null, null, null);
        Overview o = Overview.of(drained, new Viewer("student", false), Instant.now(), 1);
        WorkerView w2 = o.workers().stream().filter(w -> w.name().equals("worker2")).findFirst().orElseThrow();
        assertThat(w2.state()).isEqualTo("drained");
        assertThat(w2.reason()).isEqualTo("maintenance by the admin");
        assertThat(w2.since()).isNotNull();
        assertThat(o.workers().stream().filter(w -> w.name().equals("worker1")).findFirst().orElseThrow().state()).isEqualTo("idle");

        ClusterState down = new ClusterState(Recorded.nodes("sinfo-one-down.json"), List.of(), List.of(),
                Instant.now(), null, null, null);
        assertThat(Overview.of(down, new Viewer("student", false), Instant.now(), 1).workers())
                .extracting(WorkerView::name, WorkerView::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("worker1", "idle"), org.assertj.core.groups.Tuple.tuple("worker2", "down"));
    }

    @Test
    void withOneWorkerDrainedTheWaitingJobWaitsForTheOtherOne() throws Exception {
        ClusterState state = busy();
        List<SlurmJob> queue = state.queue();
        ClusterState oneInService = new ClusterState(Recorded.nodes("sinfo-one-drained.json"), queue, state.lastDay(),
                Instant.now(), null, null, null);
        Instant now = during(state);
        Instant both = Overview.of(state, new Viewer("student", false), now, 1).yours().get(0).estimatedStart();
        Instant one = Overview.of(oneInService, new Viewer("student", false), now, 1).yours().get(0).estimatedStart();
        assertThat(one).isAfterOrEqualTo(both);
    }

    @Test
    void finishedExperimentsStillHeldByTheControllerAreTheStudentsRecentOnes() throws Exception {
        ClusterState after = new ClusterState(Recorded.nodes("sinfo-one-down.json"), Recorded.queue("squeue-empty.json"),
                Recorded.accounting("sacct-day.json"), Instant.now(), null, null, null);
        Overview o = Overview.of(after, new Viewer("alice", false), Instant.now(), 1);
        assertThat(o.yours()).hasSize(2).allSatisfy(e -> assertThat(e.state()).isEqualTo("COMPLETED"));
        assertThat(o.queue()).isEmpty();
        assertThat(o.history().users()).singleElement().satisfies(u -> {
            assertThat(u.user()).isEqualTo("alice");
            assertThat(u.completed()).isEqualTo(2);
            assertThat(u.runSeconds()).isGreaterThanOrEqualTo(12);
        });
    }
}
