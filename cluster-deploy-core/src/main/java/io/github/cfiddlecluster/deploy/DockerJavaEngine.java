package io.github.cfiddlecluster.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.SwarmInfo;
import com.github.dockerjava.api.model.SwarmNode;
import com.github.dockerjava.api.model.SwarmNodeSpec;
import com.github.dockerjava.api.model.SwarmSpec;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@link SwarmEngine} on docker-java (engine API, no pinned version: it speaks whatever the engine does, 1.41 on
 * Docker 20.10 as well as 1.44+ on Docker 29); what only the docker CLI does goes to {@link DockerCli}, and the
 * mapping of docker-java's model to {@link SwarmEngine}'s records is {@link DockerModels}'.
 */
public final class DockerJavaEngine implements SwarmEngine {
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

    private final DockerClient docker;
    private final String dockerHost;
    private final DockerCli cli;
    private final DeployLog log;
    private RegistryLogin registryLogin;

    private DockerJavaEngine(DockerClient docker, String dockerHost, DeployLog log) {
        this.docker = docker;
        this.dockerHost = dockerHost;
        this.cli = new DockerCli(dockerHost, log);
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
        cli.registryLogin(login);
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
        return call("list swarm nodes", () -> docker.listSwarmNodesCmd().exec()).stream().map(DockerModels::node)
                .collect(Collectors.toList());
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
        cli.push(registryImage);
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
        cli.createSecret(name, data, labels);
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
        return call("list services", () -> docker.listServicesCmd().exec()).stream().map(DockerModels::service)
                .collect(Collectors.toList());
    }

    @Override
    public List<TaskInfo> tasks(ServiceInfo service) throws DeployException {
        Service current = call("inspect service " + service.name(), () -> docker.inspectServiceCmd(service.id()).exec());
        TaskSpec template = current.getSpec().getTaskTemplate();
        return call("list tasks of " + service.name(), () -> docker.listTasksCmd().withServiceFilter(service.id()).exec())
                .stream().map(t -> DockerModels.task(t, template)).sorted(Comparator.comparing(TaskInfo::id))
                .collect(Collectors.toList());
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
                .withLabelFilter(Map.of(label, value)).exec()).stream().map(DockerModels::container)
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
                        out.add(DockerModels.container(c));
                        break;
                    }
                }
            }
        }
        return out;
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
        cli.deployStack(composeFile, stackName, resolveImages);
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
        cli.removeStack(stackName);
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
