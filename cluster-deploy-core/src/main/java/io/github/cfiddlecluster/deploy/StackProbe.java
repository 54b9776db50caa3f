package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.CommandRunner;
import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.slurm.SlurmQueryException;
import io.github.cfiddlecluster.stack.StackNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Looks at a deployed stack: its services' tasks on the swarm, and Slurm's view through the controller. */
final class StackProbe implements ReadinessWaiter.Probe {
    private final SwarmEngine engine;
    private final String stack;
    private final String selfNodeId;
    private final boolean headIsLocal;

    StackProbe(SwarmEngine engine, String stack, String selfNodeId, boolean headIsLocal) {
        this.engine = engine;
        this.stack = stack;
        this.selfNodeId = selfNodeId;
        this.headIsLocal = headIsLocal;
    }

    @Override
    public Readiness.Snapshot probe() throws DeployException {
        return new Readiness.Snapshot(serviceStates(), workers(), headIsLocal ? slurmNodes() : null);
    }

    List<Readiness.ServiceState> serviceStates() throws DeployException {
        Map<String, SwarmEngine.ServiceInfo> services = services();
        List<SwarmEngine.NodeInfo> nodes = engine.nodes();
        List<Readiness.ServiceState> states = new ArrayList<>();
        for (String name : StackNames.SERVICES) {
            SwarmEngine.ServiceInfo service = services.get(name);
            if (service == null) {
                states.add(new Readiness.ServiceState(name, 0, 1, null, "no such service"));
                continue;
            }
            List<SwarmEngine.TaskInfo> tasks = engine.tasks(service);
            int running = (int) tasks.stream().filter(t -> t.wanted() && t.running() && t.upToDate()).count();
            int expected = service.global()
                    ? (int) nodes.stream().filter(n -> n.ready() && n.labelled(StackNames.WORKER_LABEL)).count()
                    : (int) service.replicas();
            states.add(new Readiness.ServiceState(name, running, expected, service.updateState(), problem(tasks)));
        }
        return states;
    }

    /** Why a service is not running: a wanted task's state, else the latest failure. */
    private static String problem(List<SwarmEngine.TaskInfo> tasks) {
        Optional<SwarmEngine.TaskInfo> starting = tasks.stream().filter(t -> t.wanted() && !t.running()).findFirst();
        if (starting.isPresent()) {
            SwarmEngine.TaskInfo t = starting.get();
            return t.state() + (t.error() != null && !t.error().isEmpty() ? ": " + t.error() : "");
        }
        return tasks.stream().filter(t -> !t.wanted() && t.error() != null && !t.error().isEmpty())
                .map(t -> "last failure: " + t.error()).findFirst().orElse(null);
    }

    private Map<String, SwarmEngine.ServiceInfo> services() throws DeployException {
        Map<String, SwarmEngine.ServiceInfo> byName = new LinkedHashMap<>();
        for (SwarmEngine.ServiceInfo s : stackServices(engine, stack)) {
            byName.put(s.name().substring(stack.length() + 1), s);
        }
        return byName;
    }

    /** The services of the stack, in the engine's order. */
    static List<SwarmEngine.ServiceInfo> stackServices(SwarmEngine engine, String stack) throws DeployException {
        return engine.services().stream().filter(s -> stack.equals(s.labels().get(StackNames.STACK_NAMESPACE_LABEL)))
                .collect(Collectors.toList());
    }

    /** Slurm node names of the running worker tasks. */
    List<String> workers() throws DeployException {
        return workersByNode().values().stream().flatMap(List::stream).sorted().collect(Collectors.toList());
    }

    Map<String, List<String>> workersByNode() throws DeployException {
        SwarmEngine.ServiceInfo worker = services().get(StackNames.WORKER);
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        if (worker == null) {
            return byNode;
        }
        Map<String, String> hostnames = engine.nodes().stream()
                .collect(Collectors.toMap(SwarmEngine.NodeInfo::id, SwarmEngine.NodeInfo::hostname, (a, b) -> a));
        for (SwarmEngine.TaskInfo t : engine.tasks(worker)) {
            if (t.wanted() && t.running() && t.upToDate()) {
                String name = worker.global()
                        ? StackNames.globalWorkerHostname(hostnames.getOrDefault(t.nodeId(), t.nodeId()))
                        : StackNames.replicatedWorkerHostname(t.slot());
                byNode.computeIfAbsent(t.nodeId(), k -> new ArrayList<>()).add(name);
            }
        }
        byNode.values().forEach(l -> l.sort(Comparator.naturalOrder()));
        return byNode;
    }

    /** Slurm's nodes by name; empty while the controller is not up (no worker can be registered then). */
    Map<String, SlurmNode> slurmNodes() throws DeployException {
        if (localContainer(StackNames.CONTROLLER).isEmpty()) {
            return Map.of();
        }
        try {
            return slurm().nodesByName();
        } catch (SlurmQueryException e) {
            return Map.of();
        }
    }

    /** Slurm, asked through the controller's container on this engine. */
    SlurmQuery slurm() {
        return new SlurmQuery(command -> {
            try {
                SwarmEngine.ExecResult r = controllerExec(command);
                return new CommandRunner.Result(r.exitCode(), r.stdout(), r.stderr());
            } catch (DeployException e) {
                throw new SlurmQueryException(e.getMessage(), e);
            }
        });
    }

    SwarmEngine.ExecResult controllerExec(List<String> command) throws DeployException {
        return serviceExec(StackNames.CONTROLLER, command);
    }

    SwarmEngine.ExecResult serviceExec(String service, List<String> command) throws DeployException {
        return serviceExec(service, command, null, null);
    }

    SwarmEngine.ExecResult serviceExec(String service, List<String> command, String user, String workingDir)
            throws DeployException {
        String container = localContainer(service).orElseThrow(() -> new DeployException.EngineError(
                "no running " + StackNames.serviceName(stack, service) + " container on this engine", null));
        return engine.exec(container, command, user, workingDir);
    }

    /**
     * The container of the service's task on this engine, running or (healthcheck not passed yet) starting: a
     * restarted controller answers before its task counts as running.
     */
    private Optional<String> localContainer(String serviceName) throws DeployException {
        SwarmEngine.ServiceInfo service = services().get(serviceName);
        if (service == null) {
            return Optional.empty();
        }
        return engine.tasks(service).stream()
                .filter(t -> t.wanted() && (t.running() || t.starting()) && selfNodeId.equals(t.nodeId())
                        && t.containerId() != null)
                .sorted(Comparator.comparing((SwarmEngine.TaskInfo t) -> !t.running()))
                .map(SwarmEngine.TaskInfo::containerId).findFirst();
    }
}
