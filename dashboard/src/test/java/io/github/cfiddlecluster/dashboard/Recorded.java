package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.slurm.CommandRunner;
import io.github.cfiddlecluster.slurm.SlurmJob;
import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.slurm.SlurmQueryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Outputs recorded from a real cluster of this project (Debian's Slurm 22.05.8; two workers; alice, bob and student
 * each submitting two 6-second experiments at once), as SlurmUser unless the name says otherwise:
 * <ul>
 * <li>{@code squeue-running-and-pending.json}: jobs 1 (alice) and 2 (bob) running, 3 (student) pending;</li>
 * <li>{@code sinfo-two-busy.json}: both workers allocated, at the same moment;</li>
 * <li>{@code sinfo-one-drained.json} / {@code sinfo-one-down.json}: worker2 drained, then set down, by an admin;</li>
 * <li>{@code squeue-empty.json}: after the six jobs, which the controller still holds as COMPLETED;</li>
 * <li>{@code sacct-day.json}: accounting's day (the six jobs);</li>
 * <li>{@code squeue-as-alice.json}: squeue run as alice: PrivateData=jobs shows her only her own jobs.</li>
 * </ul>
 */
final class Recorded {
    private Recorded() {
    }

    static String text(String name) {
        try (InputStream in = Recorded.class.getResourceAsStream("/slurm-22.05/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no recording " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Slurm answering each command with a recording (sinfo, squeue, sacct), through slurm-query's parser. */
    static SlurmQuery slurm(String sinfo, String squeue, String sacct) {
        return new SlurmQuery(command -> new CommandRunner.Result(0, text(switch (command.get(0)) {
            case "sinfo" -> sinfo;
            case "squeue" -> squeue;
            case "sacct" -> sacct;
            default -> throw new IllegalArgumentException("not a query the dashboard makes: " + command);
        }), ""));
    }

    static List<SlurmNode> nodes(String name) throws SlurmQueryException {
        return slurm(name, null, null).nodes();
    }

    static List<SlurmJob> queue(String name) throws SlurmQueryException {
        return slurm(null, name, null).controllerJobs();
    }

    static List<SlurmJob> accounting(String name) throws SlurmQueryException {
        return slurm(null, null, name).accounting("now-1days");
    }
}
