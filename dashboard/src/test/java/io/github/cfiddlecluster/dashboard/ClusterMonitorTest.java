package io.github.cfiddlecluster.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.dashboard.slurm.Job;
import io.github.cfiddlecluster.dashboard.slurm.Node;
import io.github.cfiddlecluster.dashboard.slurm.SlurmSource;
import io.github.cfiddlecluster.dashboard.slurm.SlurmUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slurm answering, going away and coming back, as the monitor reports it (recorded answers, a settable clock). */
class ClusterMonitorTest {
    private static final Duration HISTORY_EVERY = Duration.ofSeconds(10);

    /** The recorded cluster, or "not answering" with the message a real squeue gives. */
    private static final class SwitchableSlurm implements SlurmSource {
        volatile boolean answering = true;
        volatile boolean accountingAnswering = true;
        int accountingReads;

        @Override
        public List<Node> nodes() throws SlurmUnavailableException {
            check();
            return Recorded.nodes("sinfo-two-busy.json");
        }

        @Override
        public List<Job> queue() throws SlurmUnavailableException {
            check();
            return Recorded.queue("squeue-running-and-pending.json");
        }

        @Override
        public List<Job> lastDay() throws SlurmUnavailableException {
            check();
            if (!accountingAnswering) {
                throw new SlurmUnavailableException("sacct failed (exit 1): sacct: error: Problem talking to the database: Connection refused");
            }
            accountingReads++;
            return Recorded.accounting("sacct-day.json");
        }

        private void check() throws SlurmUnavailableException {
            if (!answering) {
                throw new SlurmUnavailableException("squeue failed (exit 1): slurm_load_jobs error: Unable to contact slurm controller (connect failure)");
            }
        }
    }

    private Instant now = Instant.parse("2026-11-30T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void beforeTheFirstAnswerItSaysSo() {
        try (ClusterMonitor monitor = new ClusterMonitor(new SwitchableSlurm(), clock)) {
            assertThat(monitor.state().available()).isFalse();
            assertThat(monitor.state().unavailable()).contains("not reached Slurm yet");
        }
    }

    @Test
    void whenSlurmStopsAnsweringTheLastReadingStaysWithWhatWentWrongAndSinceWhenThenItRecovers() {
        SwitchableSlurm slurm = new SwitchableSlurm();
        try (ClusterMonitor monitor = new ClusterMonitor(slurm, clock)) {
            monitor.refresh(HISTORY_EVERY);
            ClusterState good = monitor.state();
            assertThat(good.available()).isTrue();
            assertThat(good.nodes()).hasSize(2);
            assertThat(good.lastDay()).hasSize(6);

            slurm.answering = false;
            Instant wentAway = now = now.plusSeconds(2);
            monitor.refresh(HISTORY_EVERY);
            now = now.plusSeconds(2);
            monitor.refresh(HISTORY_EVERY);
            ClusterState down = monitor.state();
            assertThat(down.available()).isFalse();
            assertThat(down.unavailable()).contains("Unable to contact slurm controller");
            assertThat(down.unavailableSince()).as("since the first failure").isEqualTo(wentAway);
            assertThat(down.readAt()).isEqualTo(good.readAt());
            assertThat(down.nodes()).isEqualTo(good.nodes());
            assertThat(down.queue()).isEqualTo(good.queue());

            slurm.answering = true;
            now = now.plusSeconds(2);
            monitor.refresh(HISTORY_EVERY);
            assertThat(monitor.state().available()).isTrue();
            assertThat(monitor.state().unavailableSince()).isNull();
            assertThat(monitor.state().readAt()).isEqualTo(now);
        }
    }

    @Test
    void accountingIsReadLessOftenAndItsTroubleDoesNotHideTheWorkers() {
        SwitchableSlurm slurm = new SwitchableSlurm();
        try (ClusterMonitor monitor = new ClusterMonitor(slurm, clock)) {
            monitor.refresh(HISTORY_EVERY);
            now = now.plusSeconds(2);
            monitor.refresh(HISTORY_EVERY);
            assertThat(slurm.accountingReads).isEqualTo(1);
            now = now.plus(HISTORY_EVERY);
            slurm.accountingAnswering = false;
            monitor.refresh(HISTORY_EVERY);
            ClusterState state = monitor.state();
            assertThat(state.available()).isTrue();
            assertThat(state.historyProblem()).contains("Problem talking to the database");
            assertThat(state.lastDay()).as("the last day as last read").hasSize(6);

            slurm.accountingAnswering = true;
            now = now.plusSeconds(2);
            monitor.refresh(HISTORY_EVERY);
            assertThat(monitor.state().historyProblem()).as("retried at the next reading").isNull();
        }
    }
}
