package io.github.cfiddlecluster.slurm;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Asks Slurm about its nodes, queue and accounting through its {@code --json} output (Slurm 22.05's v0.0.38
 * format, Debian bookworm's). Where the commands run is the {@link SlurmCommands}' business:
 *
 * <pre>
 * SlurmQuery slurm = new SlurmQuery(SlurmCommands.dockerExec(controllerContainerId));
 * List&lt;SlurmNode&gt; nodes = slurm.nodes();
 * List&lt;SlurmJob&gt; lastDay = slurm.accounting("now-1days");
 * </pre>
 */
public final class SlurmQuery {
    private final SlurmCommands commands;

    public SlurmQuery(SlurmCommands commands) {
        this.commands = commands;
    }

    /** Every node the controller knows, by name. */
    public List<SlurmNode> nodes() throws SlurmQueryException {
        return SlurmJson.nodes(json(List.of("sinfo", "--json")));
    }

    /** The nodes by name. */
    public Map<String, SlurmNode> nodesByName() throws SlurmQueryException {
        Map<String, SlurmNode> byName = new TreeMap<>();
        nodes().forEach(n -> byName.put(n.name(), n));
        return byName;
    }

    /** The jobs the controller holds now: waiting, running, and those that ended moments ago (MinJobAge). */
    public List<SlurmJob> controllerJobs() throws SlurmQueryException {
        return SlurmJson.jobs(json(List.of("squeue", "--json")));
    }

    /** The jobs waiting or running. */
    public List<SlurmJob> queue() throws SlurmQueryException {
        return controllerJobs().stream().filter(j -> !j.finished()).collect(Collectors.toList());
    }

    /**
     * Every user's jobs that accounting has since {@code since} (any sacct --starttime, e.g. "now-7days" or
     * "2024-01-01T00:00:00"), oldest first. Accounting lags the controller by a moment.
     */
    public List<SlurmJob> accounting(String since) throws SlurmQueryException {
        return SlurmJson.accountedJobs(json(List.of("sacct", "--json", "--allusers", "--starttime=" + since)));
    }

    /** Runs an administrative command (e.g. scontrol); a non-zero exit is returned, not thrown. */
    public CommandRunner.Result run(List<String> command) throws SlurmQueryException {
        return commands.run(command);
    }

    private String json(List<String> command) throws SlurmQueryException {
        CommandRunner.Result r = commands.run(command);
        if (!r.ok()) {
            throw new SlurmQueryException(String.join(" ", command) + " failed (exit code " + r.exitCode() + "): "
                    + r.stderr().strip());
        }
        return r.stdout();
    }
}
