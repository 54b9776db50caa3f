package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.slurm.SlurmJob;
import io.github.cfiddlecluster.slurm.SlurmNode;
import java.time.Instant;
import java.util.List;

/**
 * What the dashboard last read from Slurm, and whether Slurm answers now.
 *
 * @param nodes            the workers (from the last successful read)
 * @param queue            the controller's jobs (from the last successful read)
 * @param lastDay          accounting's jobs of the last day (from the last successful read)
 * @param readAt           when the controller last answered (null: never yet)
 * @param unavailable      what went wrong with the last attempt (null: it answered)
 * @param unavailableSince when Slurm stopped answering (null while it answers)
 * @param historyProblem   what went wrong reading accounting last time (null: it answered)
 */
public record ClusterState(List<SlurmNode> nodes, List<SlurmJob> queue, List<SlurmJob> lastDay, Instant readAt, String unavailable,
        Instant unavailableSince, String historyProblem) {

    public static final ClusterState NOTHING_YET = new ClusterState(List.of(), List.of(), List.of(), null,
            "the dashboard has not reached Slurm yet", null, null);

    public boolean available() {
        return unavailable == null;
    }
}
