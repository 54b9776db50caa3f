package io.github.cfiddlecluster.dashboard.slurm;

import java.time.Instant;

/**
 * A worker as Slurm's controller sees it.
 *
 * @param name         the node's name (a worker's hostname)
 * @param state        Slurm's base state in lower case (idle, allocated, mixed, down, ...)
 * @param drain        whether it is drained or draining (no new jobs)
 * @param reason       why an admin or Slurm took it out of service ("" when in service)
 * @param reasonSince  when that reason was set (null when none)
 * @param slurmdStart  when its slurmd registered last (null when unknown)
 * @param lastBusy     when it last had a job (null when unknown)
 */
public record Node(String name, String state, boolean drain, String reason, Instant reasonSince, Instant slurmdStart,
        Instant lastBusy) {
}
