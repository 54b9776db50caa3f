package io.github.cfiddlecluster.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.slurm.CommandRunner;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slurm answering, going away and coming back, as the monitor reports it (recorded answers, a settable clock). */
class ClusterMonitorTest {
    private static final Duration HISTORY_EVERY = Duration.ofSeconds(10);

    /** The recorded cluster, or "not answering" with what Slurm's commands print then. */
    private static final class SwitchableSlurm {
        volatile boolean answering = true;
        volatile boolean accountingAnswering = true;
        int accountingReads;
        final SlurmQuery query = new SlurmQuery(command -> {
            if (!answering) {
                return new CommandRunner.Result(1, "", command.get(0)
                        + ": error: slurm_load_jobs error: Unable to contact slurm controller (connect failure)");
            }
            return switch (command.get(0)) {
                case "sinfo" -> new CommandRunner.Result(0, Recorded.text("sinfo-two-busy.json"), "");
                case "squeue" -> new CommandRunner.Result(0, Recorded.text("squeue-running-and-pending.json"), "");
                default -> {
                    if (!accountingAnswering) {
                        yield new CommandRunner.Result(1, "", "sacct: error: Problem talking to the database: Connection refused");
                    }
                    accountingReads++;
                    yield new CommandRunner.Result(0, Recorded.text("sacct-day.json"), "");
                }
            };
        });
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
        try (ClusterMonitor monitor = new ClusterMonitor(new SwitchableSlurm().query, clock)) {
            assertThat(monitor.state().available()).isFalse();
            assertThat(monitor.state().unavailable()).contains("not reached Slurm yet");
        }
    }

    @Test
    void whenSlurmStopsAnsweringTheLastReadingStaysWithWhatWentWrongAndSinceWhenThenItRecovers() {
        SwitchableSlurm slurm = new SwitchableSlurm();
        try (ClusterMonitor monitor = new ClusterMonitor(slurm.query, clock)) {
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
        try (ClusterMonitor monitor = new ClusterMonitor(slurm.query, clock)) {
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
