package io.github.cfiddlecluster.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cfiddlecluster.dashboard.QueueEstimator.Estimate;
import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueEstimatorTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final Duration TYPICAL = Duration.ofSeconds(10);
    private final QueueEstimator oneRunningEach = new QueueEstimator(1);

    @Test
    void onTheRecordedQueueTheWaitingJobStartsWhenTheFirstRunningOneShouldEnd() throws Exception {
        List<SlurmJob> queue = Recorded.queue("squeue-running-and-pending.json");
        Duration typical = Overview.typicalRun(Recorded.accounting("sacct-day.json"));
        SlurmJob first = queue.get(0);
        Instant now = first.started().plusSeconds(1);

        List<Estimate> estimates = oneRunningEach.estimate(queue, List.of("worker1", "worker2"), typical, now);

        assertThat(estimates).hasSize(1);
        assertThat(estimates.get(0).jobId()).isEqualTo(3);
        assertThat(estimates.get(0).position()).isEqualTo(1);
        Instant firstEnd = queue.stream().filter(SlurmJob::running).map(j -> j.started().plus(typical)).min(Instant::compareTo).orElseThrow();
        assertThat(estimates.get(0).start()).isEqualTo(firstEnd);
    }

    @Test
    void aFreeWorkerMeansNow() {
        List<Estimate> estimates = oneRunningEach.estimate(List.of(pending(1, "alice", 0)), List.of("w1"), TYPICAL, T0);
        assertThat(estimates).containsExactly(new Estimate(1, 1, T0));
    }

    @Test
    void pendingJobsTakeWorkersInSlurmsOrderOneTypicalRunAfterAnother() {
        List<SlurmJob> jobs = new ArrayList<>();
        jobs.add(running(1, "u1", "w1", T0.minusSeconds(4)));
        for (int i = 2; i <= 5; i++) {
            jobs.add(pending(i, "u" + i, i));
        }
        List<Estimate> estimates = oneRunningEach.estimate(jobs, List.of("w1", "w2"), TYPICAL, T0);

        assertThat(estimates).extracting(Estimate::position).containsExactly(1, 2, 3, 4);
        assertThat(estimates).extracting(Estimate::start).containsExactly(
                T0,                    // w2 is free
                T0.plusSeconds(6),     // w1 frees when job 1 has run its 10 s
                T0.plusSeconds(10),    // w2 again
                T0.plusSeconds(16));   // w1 again
    }

    @Test
    void higherPriorityFirstThenEarlierSubmission() {
        SlurmJob late = new SlurmJob(7, "x", "a", "PENDING", "", "Priority", T0.plusSeconds(5), null, null, null, Duration.ofMinutes(5), 100);
        SlurmJob early = new SlurmJob(8, "x", "b", "PENDING", "", "Priority", T0, null, null, null, Duration.ofMinutes(5), 100);
        SlurmJob urgent = new SlurmJob(9, "x", "c", "PENDING", "", "Priority", T0.plusSeconds(9), null, null, null, Duration.ofMinutes(5), 200);
        List<Estimate> estimates = oneRunningEach.estimate(List.of(late, early, urgent), List.of("w1"), TYPICAL, T0);
        assertThat(estimates).extracting(Estimate::jobId).containsExactly(9L, 8L, 7L);
    }

    @Test
    void aUserAtTheRunningLimitWaitsForTheirOwnJobAndOthersPass() {
        List<SlurmJob> jobs = List.of(running(1, "alice", "w1", T0.minusSeconds(2)), pending(2, "alice", 1), pending(3, "bob", 2));
        List<Estimate> estimates = oneRunningEach.estimate(jobs, List.of("w1", "w2"), TYPICAL, T0);

        assertThat(estimates.get(0)).as("alice's second waits for her first, though w2 is free")
                .isEqualTo(new Estimate(2, 1, T0.plusSeconds(8)));
        assertThat(estimates.get(1)).as("bob's starts at once on w2").isEqualTo(new Estimate(3, 2, T0));

        List<Estimate> twoEach = new QueueEstimator(2).estimate(jobs, List.of("w1", "w2"), TYPICAL, T0);
        assertThat(twoEach.get(0).start()).isEqualTo(T0);
    }

    @Test
    void aJobRunningLongerThanTypicalIsExpectedToEndAnyMomentAndNoLaterThanItsLimit() {
        SlurmJob overdue = running(1, "a", "w1", T0.minusSeconds(100));
        assertThat(oneRunningEach.estimate(List.of(overdue, pending(2, "b", 1)), List.of("w1"), TYPICAL, T0).get(0).start())
                .isEqualTo(T0);
        SlurmJob shortLimit = new SlurmJob(3, "x", "a", "RUNNING", "w1", "None", T0, T0, null, null, Duration.ofSeconds(3), 1);
        assertThat(oneRunningEach.estimate(List.of(shortLimit, pending(4, "b", 1)), List.of("w1"), Duration.ofMinutes(5), T0)
                .get(0).start()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void withoutAWorkerInServiceThereIsNoEstimateButStillAPlace() {
        List<Estimate> estimates = oneRunningEach.estimate(List.of(pending(1, "a", 1), pending(2, "b", 2)), List.of(), TYPICAL, T0);
        assertThat(estimates).containsExactly(new Estimate(1, 1, null), new Estimate(2, 2, null));
    }

    @Test
    void aJobOnAWorkerOutOfServiceFreesNothing() {
        List<SlurmJob> jobs = List.of(running(1, "a", "drained", T0), pending(2, "b", 1));
        assertThat(oneRunningEach.estimate(jobs, List.of("w1"), TYPICAL, T0).get(0).start()).isEqualTo(T0);
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new QueueEstimator(0)).hasMessageContaining("at least 1");
    }

    private static SlurmJob pending(long id, String user, int secondsAfterT0) {
        return new SlurmJob(id, "cfiddle", user, "PENDING", "", "Resources", T0.plusSeconds(secondsAfterT0), null, null, null, Duration.ofMinutes(5), 1000);
    }

    private static SlurmJob running(long id, String user, String node, Instant started) {
        return new SlurmJob(id, "cfiddle", user, "RUNNING", node, "", started, started, null, null, Duration.ofMinutes(5), 1000);
    }
}
