package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.slurm.SlurmJob;
import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.slurm.SlurmQueryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Slurm (through slurm-query) on a schedule, whatever the number of people watching: one sinfo and one squeue per interval, one
 * sacct per history interval. Every page and JSON request is served from the last reading. When Slurm does not
 * answer, the last reading is kept, marked with what went wrong and since when; the next answer clears it.
 */
public final class ClusterMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMonitor.class);

    private final SlurmQuery slurm;
    private final Clock clock;
    private final AtomicReference<ClusterState> state = new AtomicReference<>(ClusterState.NOTHING_YET);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "slurm-monitor");
        thread.setDaemon(true);
        return thread;
    });
    private Instant historyReadAt;

    public ClusterMonitor(SlurmQuery slurm, Clock clock) {
        this.slurm = slurm;
        this.clock = clock;
    }

    /** Starts reading every {@code interval}, accounting every {@code historyInterval}. */
    public ClusterMonitor start(Duration interval, Duration historyInterval) {
        scheduler.scheduleWithFixedDelay(() -> refresh(historyInterval), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public ClusterState state() {
        return state.get();
    }

    /** One reading: the controller every time, accounting when its reading is older than {@code historyInterval}. */
    void refresh(Duration historyInterval) {
        ClusterState last = state.get();
        Instant now = clock.instant();
        try {
            List<SlurmNode> nodes = slurm.nodes();
            List<SlurmJob> queue = slurm.controllerJobs();
            List<SlurmJob> lastDay = last.lastDay();
            String historyProblem = last.historyProblem();
            if (historyReadAt == null || !now.isBefore(historyReadAt.plus(historyInterval)) || historyProblem != null) {
                try {
                    lastDay = slurm.accounting("now-1days");
                    historyReadAt = now;
                    historyProblem = null;
                } catch (SlurmQueryException e) {
                    historyProblem = e.getMessage();
                }
            }
            if (!last.available()) {
                LOG.info("Slurm answers again");
            }
            state.set(new ClusterState(nodes, queue, lastDay, now, null, null, historyProblem));
        } catch (SlurmQueryException e) {
            if (last.available()) {
                LOG.warn("Slurm does not answer: {}", e.getMessage());
            }
            state.set(new ClusterState(last.nodes(), last.queue(), last.lastDay(), last.readAt(), e.getMessage(),
                    last.unavailableSince() != null ? last.unavailableSince() : now, last.historyProblem()));
        } catch (RuntimeException e) {
            // Never let one bad reading stop the schedule.
            LOG.error("reading Slurm failed", e);
            state.set(new ClusterState(last.nodes(), last.queue(), last.lastDay(), last.readAt(),
                    "the dashboard could not read Slurm's answer: " + e,
                    last.unavailableSince() != null ? last.unavailableSince() : now, last.historyProblem()));
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
