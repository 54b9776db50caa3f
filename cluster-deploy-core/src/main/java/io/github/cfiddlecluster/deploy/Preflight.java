package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.StackNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks, before anything is created, that a deploy can succeed, and plans the few changes it makes to the swarm
 * itself (init, node labels). Every failure is a typed {@link DeployException}; nothing is changed here.
 */
public final class Preflight {
    /** Image roles the stack runs or starts. */
    static final List<String> IMAGE_ROLES = List.of("cluster", "user", "sandbox", "dashboard");

    /** What the deploy will do to the swarm before deploying the stack, and what it found. */
    public record Plan(SwarmEngine.EngineInfo engine, boolean initSwarm, Map<String, String> imageIds,
            Map<String, Map<String, String>> labelsToAdd, String headNodeId, List<String> notes) {}

    private final SwarmEngine engine;

    public Preflight(SwarmEngine engine) {
        this.engine = engine;
    }

    /** For undeploy and status: the engine must be a swarm manager (they change or inspect nothing otherwise). */
    static void requireManager(SwarmEngine engine) throws DeployException {
        SwarmEngine.EngineInfo info = engine.info();
        if (!info.inSwarm()) {
            throw new DeployException.NotSwarmManager("the Docker engine is not part of a swarm", false);
        }
        if (!info.manager()) {
            throw new DeployException.NotSwarmManager("the Docker engine is a swarm worker, not a manager", true);
        }
    }

    public Plan check(DeployConfig config) throws DeployException {
        config.validate();
        SwarmEngine.EngineInfo info = engine.info();

        Map<String, String> imageIds = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> roles = new ArrayList<>(IMAGE_ROLES);
        if (config.clusterRegistry()) {
            roles.add(ClusterRegistry.IMAGE_ROLE);
        }
        for (String role : roles) {
            String image = config.localImage(role);
            engine.imageId(image).ifPresentOrElse(id -> imageIds.put(role, id), () -> missing.add(image));
        }
        if (!missing.isEmpty()) {
            throw new DeployException.MissingImages(missing);
        }

        boolean initSwarm = false;
        if (!info.inSwarm()) {
            if (!config.initSwarm()) {
                throw new DeployException.NotSwarmManager("the Docker engine (" + info.serverVersion()
                        + ") is not part of a swarm (state: " + info.swarmState() + ")", false);
            }
            initSwarm = true;
        } else if (!info.manager()) {
            throw new DeployException.NotSwarmManager(
                    "the Docker engine is a swarm worker; stacks are deployed from a manager", true);
        }

        String userService = StackNames.serviceName(config.stackName(), StackNames.USER);
        List<SwarmEngine.ServiceInfo> services = initSwarm ? List.of() : engine.services();
        boolean ourUserServiceExists = false;
        for (SwarmEngine.ServiceInfo service : services) {
            boolean ours = config.stackName().equals(service.labels().get(StackNames.STACK_NAMESPACE_LABEL));
            if (!ours && service.name().startsWith(config.stackName() + "_")) {
                throw new DeployException.NameClash("a service named " + service.name()
                        + " exists but is not part of stack " + config.stackName());
            }
            if (!ours && service.publishedPorts().contains(config.jupyterPort())) {
                throw new DeployException.PortInUse(config.jupyterPort(), "swarm service " + service.name());
            }
            ourUserServiceExists |= ours && service.name().equals(userService);
        }
        if (!initSwarm) {
            String network = config.stackName() + "_" + StackNames.NETWORK;
            Map<String, String> labels = engine.networks().get(network);
            if (labels != null && !config.stackName().equals(labels.get(StackNames.STACK_NAMESPACE_LABEL))) {
                throw new DeployException.NameClash("a network named " + network + " exists but is not part of stack "
                        + config.stackName());
            }
        }
        for (SwarmEngine.ContainerInfo c : engine.containersPublishing(config.jupyterPort())) {
            if (!userService.equals(c.labels().get("com.docker.swarm.service.name"))) {
                throw new DeployException.PortInUse(config.jupyterPort(), "container " + c.name());
            }
        }
        if (info.localEngine() && !ourUserServiceExists && !engine.hostPortFree(config.jupyterPort())) {
            throw new DeployException.PortInUse(config.jupyterPort(), "another program on this machine");
        }

        List<String> notes = new ArrayList<>();
        Map<String, Map<String, String>> labelsToAdd = new LinkedHashMap<>();
        String headNodeId;
        if (initSwarm) {
            headNodeId = null; // this engine's node, known once the swarm exists
            notes.add("single host: this machine becomes a one-node swarm; it runs the workers and serves as head too");
        } else {
            List<SwarmEngine.NodeInfo> nodes = engine.nodes();
            SwarmEngine.NodeInfo self = nodes.stream().filter(n -> n.id().equals(info.nodeId())).findFirst()
                    .orElseThrow(() -> new DeployException.EngineError("this engine's node " + info.nodeId()
                            + " is not in the swarm's node list", null));
            List<SwarmEngine.NodeInfo> heads = atMostOneLabelled(nodes, StackNames.HEAD_LABEL,
                    "the head services keep their volumes on one node");
            SwarmEngine.NodeInfo head = heads.isEmpty() ? self : heads.get(0);
            if (heads.isEmpty()) {
                labelsToAdd.computeIfAbsent(self.id(), k -> new LinkedHashMap<>()).put(StackNames.HEAD_LABEL, "true");
                notes.add("node " + self.hostname() + " (this engine) is labelled " + StackNames.HEAD_LABEL
                        + "=true: it runs db, slurmdbd, slurmctld and the notebook, and keeps their volumes");
            } else if (!head.ready()) {
                throw new DeployException.InvalidConfiguration(List.of("the head node " + head.hostname()
                        + " (labelled " + StackNames.HEAD_LABEL + "=true) is " + head.state() + "/" + head.availability()));
            }
            headNodeId = head.id();
            List<SwarmEngine.NodeInfo> userNodes = atMostOneLabelled(nodes, StackNames.USER_LABEL,
                    "the user node keeps the students' homes on one node");
            if (userNodes.isEmpty()) {
                labelsToAdd.computeIfAbsent(head.id(), k -> new LinkedHashMap<>()).put(StackNames.USER_LABEL, "true");
                notes.add("node " + head.hostname() + " (the head) is labelled " + StackNames.USER_LABEL + "=true: it runs the"
                        + " user node (JupyterHub) and keeps the students' homes; label another node to move it there");
            }
            if (config.clusterRegistry() && !head.id().equals(info.nodeId())) {
                throw new DeployException.InvalidConfiguration(List.of("the cluster's registry runs on the head node "
                        + head.hostname() + " and is filled through its engine, but this engine is node " + self.hostname()
                        + ": deploy with cfiddle.dockerHost (or DOCKER_HOST) set to the head node's engine"));
            }
            List<SwarmEngine.NodeInfo> workers = nodes.stream()
                    .filter(n -> n.labelled(StackNames.WORKER_LABEL) && n.ready()).collect(Collectors.toList());
            if (workers.isEmpty()) {
                if (nodes.size() == 1) {
                    labelsToAdd.computeIfAbsent(self.id(), k -> new LinkedHashMap<>()).put(StackNames.WORKER_LABEL, "true");
                    notes.add("single host: node " + self.hostname() + " is labelled " + StackNames.WORKER_LABEL
                            + "=true; it runs the workers and serves as head too");
                } else {
                    throw new DeployException.NoWorkerNode("none of the " + nodes.size() + " swarm nodes (" + hostnames(nodes)
                            + ") that is ready is labelled " + StackNames.WORKER_LABEL + "=true");
                }
            }
            if (!head.id().equals(info.nodeId())) {
                notes.add("the head node is " + head.hostname() + ", not this engine's node: Slurm's view of the workers"
                        + " cannot be checked from here, their healthchecks are trusted instead");
            }
        }
        if (config.workers() > 0) {
            notes.add(config.workers() + " workers as replicas on the labelled node(s): experiments on the same host share"
                    + " its CPUs, so their timings are not independent");
        }
        return new Plan(info, initSwarm, imageIds, labelsToAdd, headNodeId, notes);
    }

    /** The nodes labelled LABEL=true: none or one, since what runs there keeps its volumes on that node (WHY). */
    private static List<SwarmEngine.NodeInfo> atMostOneLabelled(List<SwarmEngine.NodeInfo> nodes, String label, String why)
            throws DeployException {
        List<SwarmEngine.NodeInfo> labelled = nodes.stream().filter(n -> n.labelled(label)).collect(Collectors.toList());
        if (labelled.size() > 1) {
            throw new DeployException.InvalidConfiguration(List.of("several nodes are labelled " + label + "=true ("
                    + hostnames(labelled) + "); " + why + ": remove the label from all but one"));
        }
        return labelled;
    }

    private static String hostnames(List<SwarmEngine.NodeInfo> nodes) {
        return nodes.stream().map(SwarmEngine.NodeInfo::hostname).collect(Collectors.joining(", "));
    }
}
