package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.StackNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory swarm: one manager node "vm" by default, the three images present, and a stack that becomes ready
 * as soon as it is deployed (unless {@link #stackComesUp} is false). Records what was created.
 */
class FakeEngine implements SwarmEngine {
    boolean reachable = true;
    String swarmState = "active";
    boolean manager = true;
    boolean stackComesUp = true;
    /** The state of the tasks of a stack that came up: "running", or "starting" (healthcheck not passed yet). */
    String taskState = "running";
    boolean hostPortFree = true;
    final List<NodeInfo> nodes = new ArrayList<>(List.of(node("n1", "vm", true, Map.of())));
    final Map<String, String> images = new HashMap<>();
    final Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
    final Map<String, byte[]> secretData = new HashMap<>();
    final Map<String, byte[]> configs = new LinkedHashMap<>();
    final List<ServiceInfo> services = new ArrayList<>();
    final Map<String, Map<String, String>> networks = new HashMap<>();
    final List<ContainerInfo> publishing = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    final List<String> volumes = new ArrayList<>();
    /** What sinfo --json says: Slurm's nodes as "name state[+FLAG...]" (e.g. "w1 idle", "w2 down+NOT_RESPONDING"). */
    List<String> slurmNodes = List.of();

    FakeEngine() {
        for (String role : List.of("cluster", "user", "sandbox", "dashboard")) {
            images.put(DeployConfig.builder().build().localImage(role), "sha256:" + role);
        }
    }

    static NodeInfo node(String id, String hostname, boolean manager, Map<String, String> labels) {
        return new NodeInfo(id, hostname, manager, "ready", "active", "10.0.0." + id.length(), labels);
    }

    @Override
    public EngineInfo info() throws DeployException {
        if (!reachable) {
            throw new DeployException.EngineUnreachable("no Docker engine answers at unix:///var/run/docker.sock", null);
        }
        return new EngineInfo("20.10.24", "1.41", swarmState, manager, "n1", "10.0.0.2", true);
    }

    @Override
    public void initSwarm() {
        calls.add("initSwarm");
        swarmState = "active";
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes;
    }

    @Override
    public void addNodeLabels(String nodeId, Map<String, String> labels) {
        calls.add("label " + nodeId + " " + new java.util.TreeMap<>(labels));
        for (int i = 0; i < nodes.size(); i++) {
            NodeInfo n = nodes.get(i);
            if (n.id().equals(nodeId)) {
                Map<String, String> merged = new HashMap<>(n.labels());
                merged.putAll(labels);
                nodes.set(i, new NodeInfo(n.id(), n.hostname(), n.manager(), n.state(), n.availability(), n.address(), merged));
            }
        }
    }

    @Override
    public Optional<String> imageId(String image) {
        return Optional.ofNullable(images.get(image));
    }

    @Override
    public String push(String localImage, String registryImage) {
        calls.add("push " + registryImage);
        return "sha256:" + Integer.toHexString(registryImage.hashCode());
    }

    @Override
    public Map<String, Map<String, String>> secrets() {
        return secrets;
    }

    @Override
    public void createSecret(String name, byte[] data, Map<String, String> labels) {
        calls.add("createSecret " + name);
        secrets.put(name, labels);
        secretData.put(name, data);
    }

    @Override
    public void removeSecret(String name) {
        calls.add("removeSecret " + name);
        secrets.remove(name);
    }

    @Override
    public List<String> configs() {
        return new ArrayList<>(configs.keySet());
    }

    @Override
    public void createConfig(String name, byte[] data, Map<String, String> labels) {
        calls.add("createConfig " + name);
        configs.put(name, data);
    }

    @Override
    public boolean removeConfig(String name) {
        calls.add("removeConfig " + name);
        configs.remove(name);
        return true;
    }

    @Override
    public List<ServiceInfo> services() {
        return services;
    }

    @Override
    public List<TaskInfo> tasks(ServiceInfo service) {
        if (!stackComesUp) {
            return List.of(new TaskInfo("t-" + service.name(), 1, "n1", "running", "starting", "starting", "", null, true));
        }
        List<TaskInfo> tasks = new ArrayList<>();
        int count = service.global() ? 1 : (int) service.replicas();
        for (int slot = 1; slot <= count; slot++) {
            tasks.add(new TaskInfo("t-" + service.name() + slot, service.global() ? 0 : slot, "n1", "running", taskState,
                    "started", "", "c-" + service.name() + slot, true));
        }
        return tasks;
    }

    @Override
    public List<String> serviceLogTail(String serviceName, int lines) {
        return List.of(serviceName + ": last words");
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, String user, String workingDir) {
        calls.add("exec " + containerId + " " + String.join(" ", command) + (user == null ? "" : " as " + user));
        if (command.get(0).equals("sinfo")) {
            return new ExecResult(0, sinfoJson(), "");
        }
        if (command.get(0).equals("squeue") || command.get(0).equals("sacct")) {
            return new ExecResult(0, "{\"errors\": [], \"jobs\": []}", "");
        }
        if (command.get(0).equals("cat")) {
            return new ExecResult(0, "existing-token\n", "");
        }
        return new ExecResult(0, "", "");
    }

    @Override
    public Map<String, Map<String, String>> networks() {
        return networks;
    }

    @Override
    public List<String> volumes(String label, String value) {
        return volumes;
    }

    @Override
    public boolean removeVolume(String name) {
        calls.add("removeVolume " + name);
        return true;
    }

    @Override
    public List<ContainerInfo> containers(String label, String value) {
        return List.of();
    }

    @Override
    public List<ContainerInfo> containersPublishing(int port) {
        return publishing;
    }

    @Override
    public boolean hostPortFree(int port) {
        return hostPortFree;
    }

    /** Creates the stack's services as docker stack deploy would (workers: global unless the file says replicas). */
    @Override
    public void deployStack(Path composeFile, String stackName, boolean resolveImages) throws DeployException {
        calls.add("deployStack " + stackName);
        String text;
        try {
            text = java.nio.file.Files.readString(composeFile);
        } catch (java.io.IOException e) {
            throw new DeployException("cannot read " + composeFile, e);
        }
        java.util.regex.Matcher replicas = java.util.regex.Pattern.compile("replicas: (\\d+)").matcher(text);
        long workerReplicas = replicas.find() ? Long.parseLong(replicas.group(1)) : 0;
        services.removeIf(s -> s.name().startsWith(stackName + "_"));
        if (stackName.endsWith("-registry")) {
            for (String name : StackNames.REGISTRY_SERVICES) {
                services.add(new ServiceInfo("id-" + name, stackName + "_" + name,
                        Map.of(StackNames.STACK_NAMESPACE_LABEL, stackName), false, 1, null, null, List.of()));
            }
            return;
        }
        for (String name : StackNames.SERVICES) {
            boolean global = name.equals(StackNames.WORKER) && workerReplicas == 0;
            services.add(new ServiceInfo("id-" + name, stackName + "_" + name,
                    Map.of(StackNames.STACK_NAMESPACE_LABEL, stackName), global,
                    name.equals(StackNames.WORKER) ? workerReplicas : 1, null, null,
                    name.equals(StackNames.USER) ? List.of(8888) : List.of()));
        }
        networks.put(stackName + "_cluster", Map.of(StackNames.STACK_NAMESPACE_LABEL, stackName));
    }

    @Override
    public void removeService(String name) {
        calls.add("removeService " + name);
        services.removeIf(s -> s.name().equals(name));
    }

    @Override
    public void removeStack(String stackName) {
        calls.add("removeStack " + stackName);
        services.removeIf(s -> s.name().startsWith(stackName + "_"));
        networks.remove(stackName + "_cluster");
    }

    @Override
    public void close() {}

    /** Calls that create or change something (everything but reads and execs). */
    List<String> changes() {
        return calls.stream().filter(c -> !c.startsWith("exec ")).collect(java.util.stream.Collectors.toList());
    }

    /** Slurm 22.05's sinfo --json, with the fields the query layer reads. */
    private String sinfoJson() {
        List<String> nodes = new ArrayList<>();
        for (String node : slurmNodes) {
            String[] nameAndState = node.split(" ");
            String[] stateAndFlags = nameAndState[1].split("\\+");
            List<String> flags = new ArrayList<>(List.of("\"DYNAMIC_NORM\""));
            for (int i = 1; i < stateAndFlags.length; i++) {
                flags.add("\"" + stateAndFlags[i] + "\"");
            }
            nodes.add("{\"name\": \"" + nameAndState[0] + "\", \"state\": \"" + stateAndFlags[0]
                    + "\", \"state_flags\": [" + String.join(", ", flags) + "], \"reason\": \"\", \"partitions\": [\"cfiddle\"]}");
        }
        return "{\"errors\": [], \"nodes\": [" + String.join(", ", nodes) + "]}";
    }
}
