package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobsReportTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static SlurmJob job(long id, String user, String state, String node, long ranSeconds, boolean ended) {
        return new SlurmJob(id, "cfiddle", user, state, node, "", T0, T0, ended ? T0.plusSeconds(ranSeconds) : null,
                ended ? 0 : null);
    }

    @Test
    void jobsAreGroupedByUserWithTheirUnsuccessfulCountAndLastJobs() {
        List<String> lines = JobsReport.perUser(List.of(job(7, "bob", "FAILED", "w1", 1, true),
                job(5, "alice", "COMPLETED", "w1", 2, true), job(6, "alice", "TIMEOUT", "w2", 300, true)), 1, T0);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("  alice: 2 jobs, 1 not completed");
        assertThat(lines.get(1)).contains("6").contains("TIMEOUT").contains("0:05:00").contains("w2");
        assertThat(lines.get(2)).isEqualTo("  bob: 1 job, 1 not completed");
        assertThat(JobsReport.perUser(List.of(), 5, T0)).containsExactly("  (none)");
    }

    @Test
    void theQueueShowsTimeRunningAndWhyAJobWaits() {
        SlurmJob running = job(8, "alice", "RUNNING", "w1", 0, false);
        SlurmJob waiting = new SlurmJob(9, "cfiddle", "bob", "PENDING", "", "Resources", T0, null, null, null);
        List<String> lines = JobsReport.queue(List.of(running, waiting), T0.plusSeconds(75));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("alice").contains("RUNNING").contains("0:01:15").endsWith("w1");
        assertThat(lines.get(2)).contains("bob").contains("PENDING").endsWith("(Resources)");
    }
}
