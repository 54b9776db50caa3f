package io.github.cfiddlecluster.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Removes what earlier test runs that were aborted left on the engine: the containers and networks labelled
 * {@link TestLabels#TEST} whose test JVM is gone, and the sandboxes of those runs' clusters ({@code cfiddle.cluster}
 * a test cluster's name, {@code cfit-} and 8 hex digits, and no live test cluster of that name). Nothing else: not a
 * deployed stack's services, containers or sandboxes, nor what a test run going on at the same time uses.
 */
final class Leftovers {
    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

    private Leftovers() {
    }

    static void removeThoseOfAbortedRuns() {
        DockerClient docker = DockerClientFactory.instance().client();
        List<Container> labelled = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(TestLabels.TEST)).exec();
        Map<Boolean, List<Container>> byOwnerAlive = labelled.stream()
                .collect(Collectors.partitioningBy(c -> TestLabels.ownerIsAlive(c.getLabels().get(TestLabels.OWNER))));
        Set<String> liveClusters = byOwnerAlive.get(true).stream().map(c -> c.getLabels().get(TestLabels.CLUSTER))
                .filter(name -> name != null).collect(Collectors.toSet());
        List<Container> sandboxes = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(Sandboxes.CLUSTER_LABEL)).exec().stream()
                .filter(c -> CfiddleCluster.isTestClusterName(c.getLabels().get(Sandboxes.CLUSTER_LABEL)))
                .filter(c -> !liveClusters.contains(c.getLabels().get(Sandboxes.CLUSTER_LABEL)))
                .toList();

        long containers = byOwnerAlive.get(false).stream().filter(c -> removed(docker, c)).count();
        long sandboxesRemoved = sandboxes.stream().filter(c -> removed(docker, c)).count();
        long networks = docker.listNetworksCmd().withFilter("label", List.of(TestLabels.TEST)).exec().stream()
                .filter(n -> !TestLabels.ownerIsAlive(n.getLabels().get(TestLabels.OWNER)))
                .filter(n -> removed(docker, n))
                .count();
        LOG.info("Removed what aborted test runs left on the engine: {} containers, {} sandboxes of their clusters, "
                + "{} networks ({} containers of test runs still going left alone)",
                containers, sandboxesRemoved, networks, byOwnerAlive.get(true).size());
    }

    private static boolean removed(DockerClient docker, Container container) {
        try {
            // As Testcontainers' own stop does: the container's anonymous volumes go with it.
            docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (DockerException e) {
            LOG.warn("Could not remove the leftover container {} {}: {}", container.getId(),
                    List.of(container.getNames()), e.getMessage());
            return false;
        }
    }

    private static boolean removed(DockerClient docker, com.github.dockerjava.api.model.Network network) {
        try {
            docker.removeNetworkCmd(network.getId()).exec();
            return true;
        } catch (DockerException e) {
            LOG.warn("Could not remove the leftover network {} ({}): {}", network.getName(), network.getId(),
                    e.getMessage());
            return false;
        }
    }
}
