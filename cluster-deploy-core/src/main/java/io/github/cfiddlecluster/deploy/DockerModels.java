package io.github.cfiddlecluster.deploy;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.PortConfig;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceMode;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.SwarmNode;
import com.github.dockerjava.api.model.SwarmNodeRole;
import com.github.dockerjava.api.model.SwarmNodeSpec;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskSpec;
import io.github.cfiddlecluster.deploy.SwarmEngine.ContainerInfo;
import io.github.cfiddlecluster.deploy.SwarmEngine.NodeInfo;
import io.github.cfiddlecluster.deploy.SwarmEngine.ServiceInfo;
import io.github.cfiddlecluster.deploy.SwarmEngine.TaskInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** docker-java's model (as any engine API version fills it, fields may be absent) as {@link SwarmEngine}'s records. */
final class DockerModels {
    private DockerModels() {
    }

    static NodeInfo node(SwarmNode n) {
        SwarmNodeSpec spec = n.getSpec();
        return new NodeInfo(n.getId(), n.getDescription() == null ? n.getId() : n.getDescription().getHostname(),
                spec != null && spec.getRole() == SwarmNodeRole.MANAGER,
                n.getStatus() == null || n.getStatus().getState() == null ? "unknown" : n.getStatus().getState().name().toLowerCase(),
                spec == null || spec.getAvailability() == null ? "unknown" : spec.getAvailability().name().toLowerCase(),
                n.getStatus() == null ? null : n.getStatus().getAddress(),
                spec == null || spec.getLabels() == null ? Map.of() : Map.copyOf(spec.getLabels()));
    }

    static ServiceInfo service(Service s) {
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
        return new ServiceInfo(s.getId(), spec.getName(), spec.getLabels() == null ? Map.of() : Map.copyOf(spec.getLabels()),
                global, replicas, updateState, s.getUpdateStatus() == null ? null : s.getUpdateStatus().getMessage(), ports);
    }

    /** @param template the service's current task template, to tell an up-to-date task from one being replaced */
    static TaskInfo task(Task t, TaskSpec template) {
        String containerId = t.getStatus() == null || t.getStatus().getContainerStatus() == null ? null
                : t.getStatus().getContainerStatus().getContainerID();
        return new TaskInfo(t.getId(), t.getSlot() == null ? 0 : t.getSlot(), t.getNodeId(),
                t.getDesiredState() == null ? null : t.getDesiredState().name().toLowerCase(),
                t.getStatus() == null || t.getStatus().getState() == null ? null : t.getStatus().getState().name().toLowerCase(),
                t.getStatus() == null ? null : t.getStatus().getMessage(),
                t.getStatus() == null ? null : t.getStatus().getErr(), containerId, sameContainer(template, t.getSpec()));
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

    static ContainerInfo container(Container c) {
        String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
        return new ContainerInfo(c.getId(), name, c.getLabels() == null ? Map.of() : Map.copyOf(c.getLabels()));
    }
}
