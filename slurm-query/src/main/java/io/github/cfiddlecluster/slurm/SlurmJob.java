package io.github.cfiddlecluster.slurm;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * One job, from the queue (squeue --json) or from accounting (sacct --json).
 *
 * @param state upper case, as Slurm writes it: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
 * @param nodes the node list ("worker1", "worker[1-2]"), or "" while it waits
 * @param reason why it waits or ended ("Resources", "QOSMaxJobsPerUserLimit"), or "" for none
 * @param submitted when it was submitted; {@code started} and {@code ended} are null until it starts or ends
 * @param exitCode its return code once finished, from the queue (squeue); null while it runs, when a signal ended
 *     it, and from accounting (22.05's sacct --json reports 0 for every job)
 * @param timeLimit its time limit (Slurm counts whole minutes), or null when it has none
 * @param priority Slurm's priority: of two waiting jobs, the higher starts first
 */
public record SlurmJob(long id, String name, String user, String state, String nodes, String reason,
        Instant submitted, Instant started, Instant ended, Integer exitCode, Duration timeLimit, long priority) {
    private static final Set<String> UNFINISHED = Set.of("PENDING", "RUNNING", "CONFIGURING", "COMPLETING",
            "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED");

    public SlurmJob {
        state = state.toUpperCase(Locale.ROOT);
        nodes = nodes == null ? "" : nodes;
        reason = reason == null || reason.equals("None") ? "" : reason;
    }

    /** A job whose time limit and priority are not known (or do not matter to the caller). */
    public SlurmJob(long id, String name, String user, String state, String nodes, String reason, Instant submitted,
            Instant started, Instant ended, Integer exitCode) {
        this(id, name, user, state, nodes, reason, submitted, started, ended, exitCode, null, 0);
    }

    public boolean pending() {
        return "PENDING".equals(state);
    }

    /** Holding a node: running, or finishing on it. */
    public boolean running() {
        return "RUNNING".equals(state) || "COMPLETING".equals(state);
    }

    public boolean finished() {
        return isFinished(state);
    }

    /** Whether a job in this state has ended for good. */
    public static boolean isFinished(String state) {
        return !UNFINISHED.contains(state.toUpperCase(Locale.ROOT));
    }

    /** Finished otherwise than COMPLETED (failed, cancelled, timed out, out of memory, node lost, ...). */
    public boolean unsuccessful() {
        return finished() && !"COMPLETED".equals(state);
    }

    /** How long it ran (so far, at {@code now}), or null before it started. */
    public Duration elapsed(Instant now) {
        return started == null ? null : Duration.between(started, ended == null ? now : ended);
    }
}
