package io.github.cfiddlecluster.dashboard.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slurm 22.05.8's --json outputs, recorded on a real cluster (see the dashboard's Recorded test helper). */
class SlurmJsonTest {
    private final SlurmJson json = new SlurmJson();

    private static String recorded(String name) throws IOException {
        try (InputStream in = SlurmJsonTest.class.getResourceAsStream("/slurm-22.05/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void runningAndPendingJobsWithTheirOwnersWorkersAndTimes() throws Exception {
        List<Job> jobs = json.queue(recorded("squeue-running-and-pending.json"));

        assertThat(jobs).extracting(Job::id, Job::user, Job::state, Job::node)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "alice", "RUNNING", "worker2"),
                        org.assertj.core.groups.Tuple.tuple(2L, "bob", "RUNNING", "worker1"),
                        org.assertj.core.groups.Tuple.tuple(3L, "student", "PENDING", ""));
        Job pending = jobs.get(2);
        assertThat(pending.pending()).isTrue();
        assertThat(pending.started()).as("Slurm's 0 means not yet").isNull();
        assertThat(pending.reason()).isEqualTo("Resources");
        assertThat(pending.priority()).isLessThan(jobs.get(1).priority());
        Job running = jobs.get(0);
        assertThat(running.running()).isTrue();
        assertThat(running.started()).isEqualTo(running.submitted()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(running.timeLimit()).as("the cluster's 0:30 limit, in Slurm's whole minutes").isEqualTo(Duration.ofMinutes(1));
        assertThat(running.ended()).as("the end Slurm expects at the latest").isEqualTo(running.started().plus(running.timeLimit()));
    }

    @Test
    void busyDrainedAndDownWorkers() throws Exception {
        assertThat(json.nodes(recorded("sinfo-two-busy.json"))).extracting(Node::name, Node::state, Node::drain)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("worker1", "allocated", false),
                        org.assertj.core.groups.Tuple.tuple("worker2", "allocated", false));

        Node drained = json.nodes(recorded("sinfo-one-drained.json")).stream().filter(n -> n.name().equals("worker2")).findFirst().orElseThrow();
        assertThat(drained.state()).isEqualTo("idle");
        assertThat(drained.drain()).isTrue();
        assertThat(drained.reason()).isEqualTo("maintenance by the admin");
        assertThat(drained.reasonSince()).isNotNull();

        Node down = json.nodes(recorded("sinfo-one-down.json")).stream().filter(n -> n.name().equals("worker2")).findFirst().orElseThrow();
        assertThat(down.state()).isEqualTo("down");
        assertThat(down.reason()).isEqualTo("gone");

        Node idle = json.nodes(recorded("sinfo-one-down.json")).stream().filter(n -> n.name().equals("worker1")).findFirst().orElseThrow();
        assertThat(idle.drain()).isFalse();
        assertThat(idle.reason()).isEmpty();
        assertThat(idle.reasonSince()).isNull();
        assertThat(idle.slurmdStart()).isNotNull();
        assertThat(idle.lastBusy()).isNotNull();
    }

    @Test
    void accountingHasEveryUsersFinishedJobs() throws Exception {
        List<Job> day = json.accounting(recorded("sacct-day.json"));

        assertThat(day).hasSize(6).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo("COMPLETED");
            assertThat(j.ended()).isAfter(j.started());
            assertThat(j.node()).startsWith("worker");
        });
        assertThat(day).extracting(Job::user).containsOnly("alice", "bob", "student");
        // each experiment was busy for 6 s inside its sandbox
        assertThat(day).allSatisfy(j -> assertThat(j.elapsed(Instant.now())).isBetween(Duration.ofSeconds(6), Duration.ofSeconds(30)));
    }

    @Test
    void theControllerKeepsEndedJobsForAWhile() throws Exception {
        List<Job> jobs = json.queue(recorded("squeue-empty.json"));
        assertThat(jobs).isNotEmpty().noneMatch(Job::pending).noneMatch(Job::running);
    }

    @Test
    void aStudentsOwnSqueueShowsOnlyTheirJobsWhichIsWhyTheDashboardAsksAsSlurmUser() throws Exception {
        assertThat(json.queue(recorded("squeue-as-alice.json"))).isNotEmpty().extracting(Job::user).containsOnly("alice");
        assertThat(json.queue(recorded("squeue-empty.json"))).extracting(Job::user).contains("alice", "bob", "student");
    }

    @Test
    void anOwnerWhoseNameDoesNotResolveWhereTheCommandRanKeepsTheirUid() throws Exception {
        String unresolved = recorded("squeue-running-and-pending.json").replace("\"user_name\": \"alice\"", "\"user_name\": null");
        assertThat(json.queue(unresolved)).extracting(Job::user).containsExactly("uid 2001", "bob", "student");
    }

    @Test
    void somethingElseThanJsonIsNamedAsSuch() {
        assertThatThrownBy(() -> json.queue("squeue: error: Invalid user for SlurmUser slurm, ignored"))
                .isInstanceOf(SlurmUnavailableException.class).hasMessageContaining("squeue --json printed something that is not JSON");
        assertThatThrownBy(() -> json.nodes("{\"meta\": {}}"))
                .isInstanceOf(SlurmUnavailableException.class).hasMessageContaining("no \"nodes\" list");
    }

    @Test
    void slurmsOwnErrorsAreReported() {
        assertThatThrownBy(() -> json.accounting("{\"errors\": [{\"error\": \"Unable to connect to database\"}], \"jobs\": []}"))
                .isInstanceOf(SlurmUnavailableException.class).hasMessage("sacct reported: Unable to connect to database");
    }
}
