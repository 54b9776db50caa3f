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

    /** The cluster's running sandboxes of one uid (an exited one waits for its job's epilog to remove it). */
    static List<Container> runningOfUid(CfiddleCluster cluster, int uid) {
        return DockerClientFactory.instance().client().listContainersCmd()
                .withLabelFilter(java.util.Map.of("cfiddle.cluster", cluster.clusterName(), "cfiddle.uid", String.valueOf(uid)))
                .exec();
    }
}
