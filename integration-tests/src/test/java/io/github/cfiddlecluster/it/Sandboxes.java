package io.github.cfiddlecluster.it;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/** The sandbox containers a test cluster's workers started on this host's engine (they carry the launcher's labels). */
final class Sandboxes {
    /** The launcher's labels on each sandbox: its cluster's name, its Slurm job and the worker that runs it. */
    static final String CLUSTER_LABEL = "cfiddle.cluster";
    static final String JOB_LABEL = "cfiddle.job";
    static final String NODE_LABEL = "cfiddle.node";
    /** Docker gives a container its short id as hostname: what an experiment's gethostname() returns. */
    private static final int HOSTNAME_LENGTH = 12;

    private Sandboxes() {
    }

    /** The cluster's sandboxes, running or not. */
    static List<Container> of(CfiddleCluster cluster) {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(CLUSTER_LABEL, cluster.clusterName())).exec();
    }

    /** The cluster's running sandboxes of one uid (an exited one waits for its job's epilog to remove it). */
    static List<Container> runningOfUid(CfiddleCluster cluster, int uid) {
        return DockerClientFactory.instance().client().listContainersCmd()
                .withLabelFilter(Map.of(CLUSTER_LABEL, cluster.clusterName(), "cfiddle.uid", String.valueOf(uid)))
                .exec();
    }

    /**
     * Records, from now until closed, the worker and job the launcher labelled each of the cluster's sandboxes
     * with as it started (Docker's start events: the sandbox itself is removed soon after its job).
     */
    static Starts recordStarts(CfiddleCluster cluster) {
        return new Starts(cluster);
    }

    /** Where a sandbox ran: the worker and the Slurm job, as the launcher labelled it. */
    record Start(String node, String job) {
    }

    static final class Starts implements AutoCloseable {
        private final Map<String, Start> byHostname = new ConcurrentHashMap<>();
        private final ResultCallback.Adapter<Event> subscription;

        private Starts(CfiddleCluster cluster) {
            // From a second ago: the engine replays what it saw since then, so no start falls between this call
            // and the subscription taking effect.
            String since = Long.toString(Instant.now().getEpochSecond() - 1);
            subscription = DockerClientFactory.instance().client().eventsCmd()
                    .withEventTypeFilter(EventType.CONTAINER).withEventFilter("start")
                    .withLabelFilter(Map.of(CLUSTER_LABEL, cluster.clusterName())).withSince(since)
                    .exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(Event started) {
                            Map<String, String> labels = started.getActor().getAttributes();
                            byHostname.put(started.getActor().getId().substring(0, HOSTNAME_LENGTH),
                                    new Start(labels.get(NODE_LABEL), labels.get(JOB_LABEL)));
                        }
                    });
        }

        /** Where each of these sandboxes (by the hostname its experiment saw) ran; waits for their start events. */
        Map<String, Start> awaitAll(Collection<String> hostnames) {
            await("start events of the sandboxes " + hostnames).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> byHostname.keySet().containsAll(hostnames));
            return hostnames.stream().distinct().collect(Collectors.toMap(h -> h, byHostname::get));
        }

        @Override
        public void close() {
            try {
                subscription.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
