package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.slurm.SlurmQueryException;
import io.github.cfiddlecluster.stack.StackNames;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What status prints: swarm nodes with their workers' Slurm state, services, notebook servers, queue, recent jobs. */
final class ClusterStatus {
    private static final int JOBS_PER_USER = 5;

    private final SwarmEngine engine;
    private final Clock clock;

    ClusterStatus(SwarmEngine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
    }

    List<String> describe(DeployConfig config) throws DeployException {
        String stack = config.stackName();
        Preflight.requireManager(engine);
        List<String> out = new ArrayList<>();
        boolean deployed = !StackProbe.stackServices(engine, stack).isEmpty();
        StackProbe probe = new StackProbe(engine, stack, engine.info().nodeId(), true);
        Map<String, SlurmNode> slurm = deployed ? probe.slurmNodes() : Map.of();
        Map<String, List<String>> workersByNode = deployed ? probe.workersByNode() : Map.of();

        out.add("Swarm nodes:");
        for (SwarmEngine.NodeInfo n : engine.nodes()) {
            List<String> roles = new ArrayList<>();
            if (n.labelled(StackNames.HEAD_LABEL)) {
                roles.add("head");
            }
            if (n.labelled(StackNames.USER_LABEL)) {
                roles.add("user");
            }
            if (n.labelled(StackNames.WORKER_LABEL)) {
                roles.add("worker");
            }
            String workers = workersByNode.getOrDefault(n.id(), List.of()).stream()
                    .map(w -> w + "=" + (slurm.containsKey(w) ? slurm.get(w).describe() : "not registered"))
                    .collect(Collectors.joining(" "));
            out.add(String.format("  %-20s %-8s %-6s %-14s %s", n.hostname(), n.manager() ? "manager" : "worker",
                    n.state(), roles.isEmpty() ? "-" : String.join(",", roles), workers.isEmpty() ? "" : "slurm: " + workers));
        }
        if (!deployed) {
            out.add("Stack " + stack + " is not deployed.");
            return out;
        }
        out.add("Services of stack " + stack + ":");
        for (Readiness.ServiceState s : probe.serviceStates()) {
            out.add(String.format("  %-12s %d/%d %s", s.name(), s.running(), s.expected(),
                    s.converged() ? "ready" : (s.problem() == null ? "starting" : s.problem())));
        }
        out.add("Notebook servers per user (JupyterHub):");
        try {
            SwarmEngine.ExecResult ps = probe.serviceExec(StackNames.USER, HubServers.PS_COMMAND);
            out.addAll(ps.ok() ? HubServers.describe(ps.stdout()) : List.of("  (ps failed: " + ps.stderr().strip() + ")"));
        } catch (DeployException e) {
            out.add("  (the user node is not running on this engine's node)");
        }
        out.addAll(slurm(probe, slurm, workersByNode));
        return out;
    }

    private List<String> slurm(StackProbe probe, Map<String, SlurmNode> slurm, Map<String, List<String>> workersByNode) {
        List<String> out = new ArrayList<>();
        List<String> stale = slurm.values().stream()
                .filter(n -> workersByNode.values().stream().noneMatch(l -> l.contains(n.name())))
                .map(n -> n.name() + "=" + n.describe()).collect(Collectors.toList());
        if (!stale.isEmpty()) {
            out.add("Slurm nodes without a worker task: " + String.join(" ", stale));
        }
        SlurmQuery query = probe.slurm();
        out.add("Queue (squeue):");
        try {
            out.addAll(JobsReport.queue(query.queue(), clock.instant()));
        } catch (SlurmQueryException e) {
            out.add("  (" + e.getMessage() + ")");
            return out;
        }
        out.add("Recent jobs per user (sacct, last 7 days):");
        try {
            out.addAll(JobsReport.perUser(query.accounting("now-7days"), JOBS_PER_USER, clock.instant()));
        } catch (SlurmQueryException e) {
            out.add("  (" + e.getMessage() + ")");
        }
        return out;
    }
}
