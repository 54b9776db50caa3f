package io.github.cfiddlecluster.dashboard.slurm;

import java.time.Duration;
import java.time.Instant;

/**
 * One job (one experiment) as the controller or accounting reports it.
 *
 * @param id        Slurm's job id
 * @param user      the submitting account
 * @param name      the job's name
 * @param state     Slurm's state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...)
 * @param reason    why a pending job waits (Priority, Resources, QOSMaxJobsPerUserLimit, ...), or "None"
 * @param submitted when it was submitted
 * @param started   when it started (null while pending)
 * @param ended     when it ended (null while pending or running)
 * @param timeLimit its time limit (null when none)
 * @param node      the worker it runs or ran on ("" when none)
 * @param priority  Slurm's priority: higher starts first
 */
public record Job(long id, String user, String name, String state, String reason, Instant submitted, Instant started,
        Instant ended, Duration timeLimit, String node, long priority) {

    public boolean pending() {
        return "PENDING".equals(state);
    }

    public boolean running() {
        return "RUNNING".equals(state) || "COMPLETING".equals(state);
    }

    /** How long it ran (null when it has not started). */
    public Duration elapsed(Instant now) {
        if (started == null) {
            return null;
        }
        return Duration.between(started, ended != null ? ended : now);
    }
}
