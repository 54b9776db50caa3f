package io.github.cfiddlecluster.it;

import com.github.dockerjava.api.model.Container;
import java.util.List;
import org.testcontainers.DockerClientFactory;

/** The sandbox containers a test cluster's workers started on this host's engine (they carry the launcher's labels). */
final class Sandboxes {
    private Sandboxes() {
    }

    /** The cluster's sandboxes, running or not. */
    static List<Container> of(CfiddleCluster cluster) {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(java.util.Map.of("cfiddle.cluster", cluster.clusterName())).exec();
    }

    static List<Container> ofUid(CfiddleCluster cluster, int uid) {
        return of(cluster).stream().filter(c -> String.valueOf(uid).equals(c.getLabels().get("cfiddle.uid"))).toList();
    }
}
