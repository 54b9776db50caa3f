package io.github.cfiddlecluster.it;

import com.github.dockerjava.api.model.Container;
import java.util.Collection;
import java.util.List;
import org.testcontainers.DockerClientFactory;

/** The sandbox containers that workers started on this host's engine (they carry the launcher's labels). */
final class Sandboxes {
    private Sandboxes() {
    }

    /** Sandboxes, running or not, started by the given worker nodes. */
    static List<Container> on(Collection<String> workerNodes) {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of("cfiddle.job")).exec().stream()
                .filter(c -> workerNodes.contains(c.getLabels().get("cfiddle.node")))
                .toList();
    }

    static List<Container> ofUid(Collection<String> workerNodes, int uid) {
        return on(workerNodes).stream().filter(c -> String.valueOf(uid).equals(c.getLabels().get("cfiddle.uid"))).toList();
    }
}
