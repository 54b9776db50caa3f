package io.github.cfiddlecluster.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parser on what Debian bookworm's Slurm 22.05.8 really printed (see resources/slurm-22.05/README.md). */
class SlurmJsonTest {
    static String recorded(String name) {
        try (InputStream in = SlurmJsonTest.class.getResourceAsStream("/slurm-22.05/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("no recorded output " + name, e);
        }
    }

    @Test
    void idleDynamicWorkersAreAvailableAndIdle() throws Exception {
        List<SlurmNode> nodes = SlurmJson.nodes(recorded("sinfo-idle.json"));
        assertThat(nodes).extracting(SlurmNode::name).containsExactly("worker1", "worker2");
        assertThat(nodes).allSatisfy(n -> {
            assertThat(n.available()).isTrue();
            assertThat(n.idle()).isTrue();
            assertThat(n.describe()).isEqualTo("idle");
            assertThat(n.partitions()).containsExactly("cfiddle");
            assertThat(n.slurmdStarted()).isEqualTo(Instant.ofEpochSecond(1796062517));
        });
    }

    @Test
    void aBusyWorkerIsAvailableButNotIdleAndADrainedOneIsNeitherWithItsReason() throws Exception {
        Map<String, SlurmNode> nodes = new SlurmQuery(command -> ok(recorded("sinfo-one-busy-one-drained.json")))
                .nodesByName();
        SlurmNode busy = nodes.get("worker1");
        assertThat(busy.state()).isEqualTo("allocated");
        assertThat(busy.available()).isTrue();
        assertThat(busy.idle()).isFalse();
        SlurmNode drained = nodes.get("worker2");
        assertThat(drained.state()).isEqualTo("idle");
        assertThat(drained.drained()).isTrue();
        assertThat(drained.available()).isFalse();
        assertThat(drained.idle()).isFalse();
        assertThat(drained.reason()).isEqualTo("disk check");
        assertThat(drained.describe()).isEqualTo("idle+drain");
    }

    @Test
    void squeueListsWaitingRunningAndJustFinishedJobsWithReasonAndExitCode() throws Exception {
        List<SlurmJob> jobs = SlurmJson.jobs(recorded("squeue.json"));
        assertThat(jobs).extracting(SlurmJob::id, SlurmJob::name, SlurmJob::user, SlurmJob::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "ok", "teacher", "COMPLETED"),
                        org.assertj.core.groups.Tuple.tuple(2L, "fails", "teacher", "FAILED"),
                        org.assertj.core.groups.Tuple.tuple(3L, "long", "teacher", "RUNNING"),
                        org.assertj.core.groups.Tuple.tuple(4L, "waits", "teacher", "PENDING"));
        SlurmJob completed = jobs.get(0);
        SlurmJob failed = jobs.get(1);
        SlurmJob running = jobs.get(2);
        SlurmJob waiting = jobs.get(3);
        assertThat(completed.exitCode()).isZero();
        assertThat(failed.exitCode()).as("false's exit code, from the wait status 256").isEqualTo(1);
        assertThat(failed.reason()).isEqualTo("NonZeroExitCode");
        assertThat(failed.unsuccessful()).isTrue();
        assertThat(completed.unsuccessful()).isFalse();
        assertThat(running.nodes()).isEqualTo("worker1");
        assertThat(running.started()).isEqualTo(Instant.ofEpochSecond(1796062523));
        assertThat(running.ended()).as("a running job's end_time is its deadline, not an end").isNull();
        assertThat(running.exitCode()).isNull();
        assertThat(running.finished()).isFalse();
        assertThat(waiting.nodes()).isEmpty();
        assertThat(waiting.reason()).isEqualTo("QOSMaxJobsPerUserLimit");
        assertThat(waiting.started()).isNull();
        assertThat(waiting.elapsed(Instant.now())).isNull();
    }

    @Test
    void sacctGivesFinishedJobsWithTheirTimesAndNoNodeForOneThatNeverStarted() throws Exception {
        List<SlurmJob> jobs = SlurmJson.accountedJobs(recorded("sacct.json"));
        assertThat(jobs).extracting(SlurmJob::state).containsExactly("COMPLETED", "FAILED", "CANCELLED", "CANCELLED");
        assertThat(jobs).allSatisfy(j -> {
            assertThat(j.finished()).isTrue();
            assertThat(j.user()).isEqualTo("teacher");
            assertThat(j.reason()).isEmpty();
            assertThat(j.exitCode()).as("22.05's sacct --json says 0 for the failed job too: not read").isNull();
        });
        SlurmJob cancelled = jobs.get(2);
        assertThat(cancelled.nodes()).isEqualTo("worker1");
        assertThat(cancelled.elapsed(Instant.now())).hasSeconds(1);
        assertThat(jobs.get(3).nodes()).as("'None assigned'").isEmpty();
    }

    @Test
    void jobsCarryTheirTimeLimitAndPriorityAndNodesWhenTheirReasonWasSetAndWhenTheyLastRanAJob() throws Exception {
        List<SlurmJob> queue = SlurmJson.jobs(recorded("squeue.json"));
        assertThat(queue).allSatisfy(j -> assertThat(j.timeLimit()).as("the test cluster's limit, in whole minutes")
                .isEqualTo(java.time.Duration.ofMinutes(1)));
        assertThat(queue).extracting(SlurmJob::priority).as("submitted one after another: each a little lower")
                .isSortedAccordingTo(java.util.Comparator.reverseOrder()).doesNotHaveDuplicates();
        assertThat(queue.get(3).pending()).isTrue();
        assertThat(queue.get(2).running()).isTrue();
        assertThat(SlurmJson.accountedJobs(recorded("sacct.json"))).extracting(SlurmJob::timeLimit)
                .containsOnly(java.time.Duration.ofMinutes(1));

        Map<String, SlurmNode> nodes = new SlurmQuery(command -> ok(recorded("sinfo-one-busy-one-drained.json"))).nodesByName();
        assertThat(nodes.get("worker1").reasonSince()).as("no reason, no time").isNull();
        assertThat(nodes.get("worker2").reasonSince()).isEqualTo(Instant.ofEpochSecond(1796062523));
        assertThat(nodes.get("worker1").lastBusy()).isEqualTo(Instant.ofEpochSecond(1796062523));
    }

    @Test
    void anOwnerWhoseNameDoesNotResolveWhereSqueueRanKeepsTheirUid() throws Exception {
        String unresolved = recorded("squeue.json").replace("\"user_name\": \"teacher\"", "\"user_name\": null");
        assertThat(SlurmJson.jobs(unresolved)).extracting(SlurmJob::user).containsOnly("uid 2100");
    }

    @Test
    void sacctsNothingFoundIsNoJobsAndAnyOtherErrorIsAnError() throws Exception {
        assertThat(SlurmJson.accountedJobs(recorded("sacct-nothing-found.json"))).isEmpty();
        String other = recorded("sacct-nothing-found.json").replace("9003", "1");
        assertThatThrownBy(() -> SlurmJson.accountedJobs(other)).isInstanceOf(SlurmQueryException.class)
                .hasMessageContaining("sacct --json reports an error").hasMessageContaining("Nothing found");
    }

    @Test
    void whatIsNotSlurmsJsonSaysSo() {
        assertThatThrownBy(() -> SlurmJson.nodes("sinfo: error: Unable to contact slurm controller"))
                .isInstanceOf(SlurmQueryException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> SlurmJson.jobs("{\"errors\": []}")).isInstanceOf(SlurmQueryException.class)
                .hasMessageContaining("no 'jobs' list");
    }

    @Test
    void aFailedCommandIsAnErrorWithWhatItSaid() {
        SlurmQuery slurm = new SlurmQuery(command -> new CommandRunner.Result(1, "",
                "sinfo: error: Unable to contact slurm controller (connect failure)\n"));
        assertThatThrownBy(slurm::nodes).isInstanceOf(SlurmQueryException.class)
                .hasMessage("sinfo --json failed (exit code 1): sinfo: error: Unable to contact slurm controller (connect failure)");
    }

    @Test
    void theQueryAsksTheCommandsItDocuments() throws Exception {
        List<List<String>> asked = new java.util.ArrayList<>();
        SlurmQuery slurm = new SlurmQuery(command -> {
            asked.add(command);
            return ok(recorded(command.get(0).equals("sacct") ? "sacct.json" : "squeue.json"));
        });
        assertThat(slurm.queue()).extracting(SlurmJob::id).containsExactly(3L, 4L);
        assertThat(slurm.controllerJobs()).hasSize(4);
        slurm.accounting("now-7days");
        assertThat(asked).containsExactly(List.of("squeue", "--json"), List.of("squeue", "--json"),
                List.of("sacct", "--json", "--allusers", "--starttime=now-7days"));
    }

    private static CommandRunner.Result ok(String stdout) {
        return new CommandRunner.Result(0, stdout, "");
    }
}
