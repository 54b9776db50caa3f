package io.github.cfiddlecluster.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the deploy core asks of Docker, in its own terms. {@link DockerJavaEngine} implements it with docker-java
 * (and the docker CLI for {@code stack deploy}/{@code stack rm}, which have no engine API); tests use a fake.
 * Methods throw {@link DeployException.EngineError} (or {@link DeployException.EngineUnreachable}) on failures.
 */
public interface SwarmEngine extends AutoCloseable {

    record EngineInfo(String serverVersion, String apiVersion, String swarmState, boolean manager, String nodeId,
            String nodeAddress, boolean localEngine) {
        public boolean inSwarm() {
            return "active".equals(swarmState);
        }
    }

    record NodeInfo(String id, String hostname, boolean manager, String state, String availability, String address,
            Map<String, String> labels) {
        public boolean ready() {
            return "ready".equals(state) && "active".equals(availability);
        }

        public boolean labelled(String label) {
            return "true".equals(labels.get(label));
        }
    }

    record ServiceInfo(String id, String name, Map<String, String> labels, boolean global, long replicas,
            String updateState, String updateMessage, List<Integer> publishedPorts) {}

    /**
     * One task of a service. {@code upToDate}: created from the service's current spec (not a task an update is
     * about to replace).
     */
    record TaskInfo(String id, int slot, String nodeId, String desiredState, String state, String message,
            String error, String containerId, boolean upToDate) {
        public boolean running() {
            return "running".equals(state);
        }

        /** Its container started, its healthcheck not passed yet. */
        public boolean starting() {
            return "starting".equals(state);
        }

        public boolean wanted() {
            return "running".equals(desiredState);
        }
    }

    record ExecResult(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** A container of this engine, not of a swarm service, publishing the notebook port. */
    record ContainerInfo(String id, String name, Map<String, String> labels) {}

    EngineInfo info() throws DeployException;

    /** {@code docker swarm init} on this engine (single node; the address docker picks). */
    void initSwarm() throws DeployException;

    List<NodeInfo> nodes() throws DeployException;

    void addNodeLabels(String nodeId, Map<String, String> labels) throws DeployException;

    /** The id of a local image, if it is there. */
    Optional<String> imageId(String image) throws DeployException;

    /** Tags a local image for a registry and pushes it there; returns its digest there (sha256:...). */
    String push(String localImage, String registryImage) throws DeployException;

    /** Secret names, with their labels. */
    Map<String, Map<String, String>> secrets() throws DeployException;

    void createSecret(String name, byte[] data, Map<String, String> labels) throws DeployException;

    void removeSecret(String name) throws DeployException;

    /** Config names. */
    List<String> configs() throws DeployException;

    void createConfig(String name, byte[] data, Map<String, String> labels) throws DeployException;

    /** @return false when the config is still in use */
    boolean removeConfig(String name) throws DeployException;

    List<ServiceInfo> services() throws DeployException;

    List<TaskInfo> tasks(ServiceInfo service) throws DeployException;

    /** The last lines a service logged (all its tasks). */
    List<String> serviceLogTail(String serviceName, int lines) throws DeployException;

    default ExecResult exec(String containerId, List<String> command) throws DeployException {
        return exec(containerId, command, null, null);
    }

    /** Runs a command in a container of this engine, as {@code user} in {@code workingDir} (null: the image's). */
    ExecResult exec(String containerId, List<String> command, String user, String workingDir) throws DeployException;

    /** Networks by name, with their labels. */
    Map<String, Map<String, String>> networks() throws DeployException;

    /** Volume names with the given label value. */
    List<String> volumes(String label, String value) throws DeployException;

    /** @return false when the volume is still in use */
    boolean removeVolume(String name) throws DeployException;

    /** Containers of this engine (running or not) carrying the label value. */
    List<ContainerInfo> containers(String label, String value) throws DeployException;

    /** Running containers of this engine that publish the host port. */
    List<ContainerInfo> containersPublishing(int port) throws DeployException;

    /** Whether nothing listens on the port on this machine (only meaningful when the engine is local). */
    boolean hostPortFree(int port);

    /** {@code docker stack deploy}: creates or updates the stack's services from a compose file. */
    void deployStack(Path composeFile, String stackName, boolean resolveImages) throws DeployException;

    void removeService(String name) throws DeployException;

    /** {@code docker stack rm}. */
    void removeStack(String stackName) throws DeployException;

    @Override
    void close();
}
