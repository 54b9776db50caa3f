package io.github.cfiddlecluster.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortConfig;
import com.github.dockerjava.api.model.SecretSpec;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceMode;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.SwarmInfo;
import com.github.dockerjava.api.model.SwarmNode;
import com.github.dockerjava.api.model.SwarmNodeRole;
import com.github.dockerjava.api.model.SwarmNodeSpec;
import com.github.dockerjava.api.model.SwarmSpec;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@link SwarmEngine} on docker-java (engine API, no pinned version: it speaks whatever the engine does, 1.41 on
 * Docker 20.10 as well as 1.44+ on Docker 29), plus the docker CLI for {@code stack deploy} and {@code stack rm},
 * which exist only client-side, and for {@code push}, which then uses the CLI's registry credentials.
 */
public final class DockerJavaEngine implements SwarmEngine {
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(10);

    private final DockerClient docker;
    private final String dockerHost;
    private final DeployLog log;
    private RegistryLogin registryLogin;

    private DockerJavaEngine(DockerClient docker, String dockerHost, DeployLog log) {
        this.docker = docker;
        this.dockerHost = dockerHost;
        this.log = log;
    }

    /**
     * @param dockerHost e.g. unix:///var/run/docker.sock or tcp://host:2375; null: DOCKER_HOST, else the local socket
     */
    public static DockerJavaEngine connect(String dockerHost, DeployLog log) {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (dockerHost != null) {
            builder.withDockerHost(dockerHost);
        }
        DefaultDockerClientConfig config = builder.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(Duration.ofMinutes(2))
                .build();
        return new DockerJavaEngine(DockerClientImpl.getInstance(config, http), config.getDockerHost().toString(), log);
    }

    /** The docker CLI pushes and deploys with these credentials instead of its own configuration's. */
    public DockerJavaEngine withRegistryLogin(RegistryLogin login) {
        this.registryLogin = login;
        return this;
    }

    @Override
    public EngineInfo info() throws DeployException {
        try {
            Info info = docker.infoCmd().exec();
            String api = docker.versionCmd().exec().getApiVersion();
            SwarmInfo swarm = info.getSwarm();
            String state = swarm == null || swarm.getLocalNodeState() == null ? "inactive"
                    : swarm.getLocalNodeState().name().toLowerCase();
            boolean manager = swarm != null && Boolean.TRUE.equals(swarm.getControlAvailable());
            return new EngineInfo(info.getServerVersion(), api, state, manager, swarm == null ? null : swarm.getNodeID(),
                    swarm == null ? null : swarm.getNodeAddr(), dockerHost.startsWith("unix:") || dockerHost.startsWith("npipe:"));
        } catch (RuntimeException e) {
            throw new DeployException.EngineUnreachable("no Docker engine answers at " + dockerHost + ": " + rootMessage(e), e);
        }
    }

    @Override
    public void initSwarm() throws DeployException {
        call("docker swarm init", () -> docker.initializeSwarmCmd(new SwarmSpec()).withListenAddr("0.0.0.0:2377").exec());
    }

    @Override
    public List<NodeInfo> nodes() throws DeployException {
        return call("list swarm nodes", () -> docker.listSwarmNodesCmd().exec()).stream().map(DockerJavaEngine::node)
                .collect(Collectors.toList());
    }

    private static NodeInfo node(SwarmNode n) {
        SwarmNodeSpec spec = n.getSpec();
        return new NodeInfo(n.getId(), n.getDescription() == null ? n.getId() : n.getDescription().getHostname(),
                spec != null && spec.getRole() == SwarmNodeRole.MANAGER,
                n.getStatus() == null || n.getStatus().getState() == null ? "unknown" : n.getStatus().getState().name().toLowerCase(),
                spec == null || spec.getAvailability() == null ? "unknown" : spec.getAvailability().name().toLowerCase(),
                n.getStatus() == null ? null : n.getStatus().getAddress(),
                spec == null || spec.getLabels() == null ? Map.of() : Map.copyOf(spec.getLabels()));
    }

    @Override
    public void addNodeLabels(String nodeId, Map<String, String> labels) throws DeployException {
        call("label node " + nodeId, () -> {
            SwarmNode node = docker.listSwarmNodesCmd().withIdFilter(List.of(nodeId)).exec().get(0);
            SwarmNodeSpec spec = node.getSpec();
            Map<String, String> merged = new HashMap<>(spec.getLabels() == null ? Map.of() : spec.getLabels());
            merged.putAll(labels);
            docker.updateSwarmNodeCmd().withSwarmNodeId(nodeId).withVersion(node.getVersion().getIndex())
                    .withSwarmNodeSpec(spec.withLabels(merged)).exec();
            return null;
        });
    }

    @Override
    public Optional<String> imageId(String image) throws DeployException {
        try {
            InspectImageResponse r = docker.inspectImageCmd(image).exec();
            return Optional.ofNullable(r.getId());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw new DeployException.EngineError("cannot inspect image " + image + ": " + rootMessage(e), e);
        }
    }

    @Override
    public String push(String localImage, String registryImage) throws DeployException {
        int colon = registryImage.lastIndexOf(':');
        String repository = registryImage.substring(0, colon);
        String tag = registryImage.substring(colon + 1);
        call("tag " + localImage, () -> {
            docker.tagImageCmd(localImage, repository, tag).exec();
            return null;
        });
        runCli(List.of("push", registryImage), "docker push " + registryImage);
        List<String> digests = call("inspect image " + registryImage,
                () -> docker.inspectImageCmd(registryImage).exec().getRepoDigests());
        return (digests == null ? List.<String>of() : digests).stream().filter(d -> d.startsWith(repository + "@"))
                .map(d -> d.substring(repository.length() + 1)).findFirst()
                .orElseThrow(() -> new DeployException.EngineError("docker push " + registryImage
                        + " reported no digest for " + repository, null));
    }

    @Override
    public Map<String, Map<String, String>> secrets() throws DeployException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (com.github.dockerjava.api.model.Secret s : call("list secrets", () -> docker.listSecretsCmd().exec())) {
            ServiceSpec spec = s.getSpec();
            out.put(spec.getName(), spec.getLabels() == null ? Map.of() : Map.copyOf(spec.getLabels()));
        }
        return out;
    }

    @Override
    public void createSecret(String name, byte[] data, Map<String, String> labels) throws DeployException {
        SecretSpec spec = new SecretSpec().withName(name).withLabels(labels);
        setSecretData(spec, data);
        call("create secret " + name, () -> docker.createSecretCmd(spec).exec());
    }

    /**
     * SecretSpec.withData(String) encodes the string with the platform charset, which would mangle a binary munge
     * key; the field holds the base64 the API wants, so it is set directly.
     */
    static void setSecretData(SecretSpec spec, byte[] data) {
        try {
            Field field = SecretSpec.class.getDeclaredField("data");
            field.setAccessible(true);
            field.set(spec, Base64.getEncoder().encodeToString(data));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("docker-java's SecretSpec has no 'data' field any more", e);
        }
    }

    @Override
    public void removeSecret(String name) throws DeployException {
        call("remove secret " + name, () -> {
            docker.removeSecretCmd(name).exec();
            return null;
        });
    }

    @Override
    public List<String> configs() throws DeployException {
        return call("list configs", () -> docker.listConfigsCmd().exec()).stream().map(c -> c.getSpec().getName())
                .collect(Collectors.toList());
    }

    @Override
    public void createConfig(String name, byte[] data, Map<String, String> labels) throws DeployException {
        call("create config " + name, () -> docker.createConfigCmd().withName(name).withData(data).withLabels(labels).exec());
    }

    @Override
    public boolean removeConfig(String name) throws DeployException {
        return removeIfUnused("config " + name, () -> docker.removeConfigCmd(name).exec());
    }

    @Override
    public List<ServiceInfo> services() throws DeployException {
        List<ServiceInfo> out = new ArrayList<>();
        for (Service s : call("list services", () -> docker.listServicesCmd().exec())) {
            ServiceSpec spec = s.getSpec();
            boolean global = spec.getMode() != null && spec.getMode().getMode() == ServiceMode.GLOBAL;
            long replicas = !global && spec.getMode() != null && spec.getMode().getReplicated() != null
                    ? spec.getMode().getReplicated().getReplicas() : 0;
            List<Integer> ports = new ArrayList<>();
            if (spec.getEndpointSpec() != null && spec.getEndpointSpec().getPorts() != null) {
                spec.getEndpointSpec().getPorts().stream().map(PortConfig::getPublishedPort).forEach(ports::add);
            }
            String updateState = s.getUpdateStatus() == null || s.getUpdateStatus().getState() == null ? null
                    : s.getUpdateStatus().getState().name().toLowerCase();
            out.add(new ServiceInfo(s.getId(), spec.getName(), spec.getLabels() == null ? Map.of() : Map.copyOf(spec.getLabels()),
                    global, replicas, updateState, s.getUpdateStatus() == null ? null : s.getUpdateStatus().getMessage(), ports));
        }
        return out;
    }

    @Override
    public List<TaskInfo> tasks(ServiceInfo service) throws DeployException {
        Service current = call("inspect service " + service.name(), () -> docker.inspectServiceCmd(service.id()).exec());
        TaskSpec template = current.getSpec().getTaskTemplate();
        List<Task> tasks = call("list tasks of " + service.name(),
                () -> docker.listTasksCmd().withServiceFilter(service.id()).exec());
        List<TaskInfo> out = new ArrayList<>();
        for (Task t : tasks) {
            String containerId = t.getStatus() == null || t.getStatus().getContainerStatus() == null ? null
                    : t.getStatus().getContainerStatus().getContainerID();
            out.add(new TaskInfo(t.getId(), t.getSlot() == null ? 0 : t.getSlot(), t.getNodeId(),
                    t.getDesiredState() == null ? null : t.getDesiredState().name().toLowerCase(),
                    t.getStatus() == null || t.getStatus().getState() == null ? null : t.getStatus().getState().name().toLowerCase(),
                    t.getStatus() == null ? null : t.getStatus().getMessage(),
                    t.getStatus() == null ? null : t.getStatus().getErr(), containerId,
                    sameContainer(template, t.getSpec())));
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    /**
     * Whether a task runs what the service now asks for. Not TaskSpec.equals: the engine fills in defaults on the
     * service's copy (StopGracePeriod, DNSConfig, Runtime) that tasks lack. These are the fields the stack sets
     * (the readiness wait also asks for two ready looks in a row, for a change it does not see here).
     */
    static boolean sameContainer(TaskSpec service, TaskSpec task) {
        if (service == null || task == null || service.getContainerSpec() == null || task.getContainerSpec() == null) {
            return false;
        }
        ContainerSpec a = service.getContainerSpec();
        ContainerSpec b = task.getContainerSpec();
        return Objects.equals(a.getImage(), b.getImage()) && Objects.equals(a.getLabels(), b.getLabels())
                && Objects.equals(a.getEnv(), b.getEnv()) && Objects.equals(a.getArgs(), b.getArgs())
                && Objects.equals(a.getCommand(), b.getCommand()) && Objects.equals(a.getHostname(), b.getHostname())
                && Objects.equals(a.getMounts(), b.getMounts()) && Objects.equals(a.getSecrets(), b.getSecrets())
                && Objects.equals(a.getConfigs(), b.getConfigs()) && Objects.equals(a.getHealthCheck(), b.getHealthCheck())
                && Objects.equals(a.getUser(), b.getUser()) && Objects.equals(a.getDir(), b.getDir())
                && Objects.equals(service.getPlacement(), task.getPlacement())
                && Objects.equals(service.getRestartPolicy(), task.getRestartPolicy())
                && Objects.equals(service.getForceUpdate(), task.getForceUpdate());
    }

    @Override
    public List<String> serviceLogTail(String serviceName, int lines) throws DeployException {
        List<String> out = new ArrayList<>();
        try {
            docker.logServiceCmd(serviceName).withStdout(true).withStderr(true).withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            out.add(new String(frame.getPayload(), StandardCharsets.UTF_8).stripTrailing());
                        }
                    }).awaitCompletion(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            out.add("(could not read the logs of " + serviceName + ": " + rootMessage(e) + ")");
        }
        return out;
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, String user, String workingDir)
            throws DeployException {
        try {
            var create = docker.execCreateCmd(containerId).withCmd(command.toArray(new String[0]))
                    .withAttachStdout(true).withAttachStderr(true);
            if (user != null) {
                create.withUser(user);
            }
            if (workingDir != null) {
                create.withWorkingDir(workingDir);
            }
            String id = create.exec().getId();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            boolean done = docker.execStartCmd(id).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).writeBytes(frame.getPayload());
                }
            }).awaitCompletion(EXEC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Long code = docker.inspectExecCmd(id).exec().getExitCodeLong();
            return new ExecResult(!done || code == null ? -1 : code.intValue(), stdout.toString(StandardCharsets.UTF_8),
                    stderr.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted", e);
        } catch (NotFoundException | ConflictException e) {
            // The container went away (or is restarting) between listing and exec: as if the command failed.
            return new ExecResult(-1, "", rootMessage(e));
        } catch (RuntimeException e) {
            throw new DeployException.EngineError("cannot run " + command + " in " + containerId + ": " + rootMessage(e), e);
        }
    }

    @Override
    public Map<String, Map<String, String>> networks() throws DeployException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Network n : call("list networks", () -> docker.listNetworksCmd().exec())) {
            out.put(n.getName(), n.getLabels() == null ? Map.of() : Map.copyOf(n.getLabels()));
        }
        return out;
    }

    @Override
    public List<String> volumes(String label, String value) throws DeployException {
        var response = call("list volumes", () -> docker.listVolumesCmd().withFilter("label", List.of(label + "=" + value)).exec());
        return response.getVolumes() == null ? List.of()
                : response.getVolumes().stream().map(v -> v.getName()).sorted().collect(Collectors.toList());
    }

    @Override
    public boolean removeVolume(String name) throws DeployException {
        return removeIfUnused("volume " + name, () -> docker.removeVolumeCmd(name).exec());
    }

    @Override
    public List<ContainerInfo> containers(String label, String value) throws DeployException {
        return call("list containers", () -> docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(label, value)).exec()).stream().map(DockerJavaEngine::container)
                .collect(Collectors.toList());
    }

    @Override
    public List<ContainerInfo> containersPublishing(int port) throws DeployException {
        List<ContainerInfo> out = new ArrayList<>();
        for (Container c : call("list containers", () -> docker.listContainersCmd().exec())) {
            ContainerPort[] ports = c.getPorts();
            if (ports != null) {
                for (ContainerPort p : ports) {
                    if (p.getPublicPort() != null && p.getPublicPort() == port) {
                        out.add(container(c));
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static ContainerInfo container(Container c) {
        String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
        return new ContainerInfo(c.getId(), name, c.getLabels() == null ? Map.of() : Map.copyOf(c.getLabels()));
    }

    @Override
    public boolean hostPortFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void deployStack(Path composeFile, String stackName, boolean resolveImages) throws DeployException {
        List<String> args = new ArrayList<>(List.of("stack", "deploy", "--compose-file", composeFile.toString(),
                "--prune", "--resolve-image", resolveImages ? "always" : "never"));
        if (resolveImages) {
            args.add("--with-registry-auth");
        }
        args.add(stackName);
        runCli(args, "docker stack deploy");
    }

    @Override
    public void removeService(String name) throws DeployException {
        call("remove service " + name, () -> {
            docker.removeServiceCmd(name).exec();
            return null;
        });
    }

    @Override
    public void removeStack(String stackName) throws DeployException {
        runCli(List.of("stack", "rm", stackName), "docker stack rm");
    }

    private String runCli(List<String> args, String what) throws DeployException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(args);
        log.debug("running " + String.join(" ", command));
        CommandRunner.Result result;
        try {
            Map<String, String> environment = new HashMap<>(Map.of("DOCKER_HOST", dockerHost));
            if (registryLogin != null) {
                environment.put("DOCKER_CONFIG", registryLogin.dockerConfigDirectory().toString());
            }
            result = CommandRunner.run(command, environment, CLI_TIMEOUT);
        } catch (IOException e) {
            throw new DeployException.DockerCommandFailed("the docker command-line client is needed for " + what
                    + " (the engine API has no stack commands) but could not be run: " + e.getMessage(), "", true);
        } catch (CommandRunner.TimedOut e) {
            throw new DeployException.DockerCommandFailed(what + " did not finish in " + CLI_TIMEOUT.toMinutes() + " min",
                    e.output(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted", e);
        }
        String output = result.output();
        output.lines().forEach(line -> log.debug("  " + line));
        if (result.exitCode() != 0) {
            String essential = output.lines().filter(l -> !l.contains("--detach")).collect(Collectors.joining("\n"));
            throw new DeployException.DockerCommandFailed(what + " failed (exit code " + result.exitCode() + "):\n"
                    + essential.strip(), output, false);
        }
        return output;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    private <T> T call(String what, Call<T> call) throws DeployException {
        try {
            return call.run();
        } catch (DockerException e) {
            throw new DeployException.EngineError("cannot " + what + ": " + rootMessage(e), e);
        } catch (RuntimeException e) {
            throw new DeployException.EngineUnreachable("cannot " + what + " (" + dockerHost + "): " + rootMessage(e), e);
        }
    }

    /** Removes something swarm may still be using: false when it is in use, true when it is gone. */
    private static boolean removeIfUnused(String what, Runnable removal) throws DeployException {
        try {
            removal.run();
            return true;
        } catch (ConflictException e) {
            return false;
        } catch (NotFoundException e) {
            return true;
        } catch (RuntimeException e) {
            throw new DeployException.EngineError("cannot remove " + what + ": " + rootMessage(e), e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.strip().replaceAll("\\s+", " ");
    }

    @Override
    public void close() {
        if (registryLogin != null) {
            registryLogin.close();
        }
        try {
            docker.close();
        } catch (IOException e) {
            log.debug("closing the Docker client: " + e);
        }
    }
}
