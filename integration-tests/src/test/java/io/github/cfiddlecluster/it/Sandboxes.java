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
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/**
 * The sandbox containers a test cluster's workers started on this host's engine. The launcher labels each with
 * its cluster and worker; a sandbox serving a job is named after the job and its user
 * ({@code cfiddle-sandbox-CLUSTER-NODE-jobJOB-uidUID-PID}), a warm one waiting for the next job
 * {@code cfiddle-warm-CLUSTER-NODE}.
 */
final class Sandboxes {
    static final String CLUSTER_LABEL = "cfiddle.cluster";
    static final String NODE_LABEL = "cfiddle.node";
    private static final String JOB_SANDBOX_PREFIX = "cfiddle-sandbox-";
    private static final Pattern JOB_IN_NAME = Pattern.compile("-job(\\d+)-uid\\d+-\\d+$");
    /** Docker gives a container its short id as hostname: what an experiment's gethostname() returns. */
    private static final int HOSTNAME_LENGTH = 12;

    private Sandboxes() {
    }

    /** The cluster's sandboxes that serve or served a job, running or not (not the warm ones). */
    static List<Container> of(CfiddleCluster cluster) {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(CLUSTER_LABEL, cluster.clusterName()))
                .withNameFilter(List.of(JOB_SANDBOX_PREFIX)).exec();
    }

    /** The cluster's running sandboxes of one uid (an exited one waits for its job's epilog to remove it). */
    static List<Container> runningOfUid(CfiddleCluster cluster, int uid) {
        return DockerClientFactory.instance().client().listContainersCmd()
                .withLabelFilter(Map.of(CLUSTER_LABEL, cluster.clusterName()))
                .withNameFilter(List.of(JOB_SANDBOX_PREFIX + ".*-uid" + uid + "-")).exec();
    }

    /** The warm sandbox waiting for the next job on a worker, if there is one (running or not). */
    static Optional<Container> warm(CfiddleCluster cluster, String node) {
        String name = "cfiddle-warm-" + cluster.clusterName() + "-" + node;
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withNameFilter(List.of(name)).exec().stream()
                .filter(c -> Arrays.asList(c.getNames()).contains("/" + name)).findFirst();
    }

    /**
     * Records, from now until closed, the worker and job of each sandbox the cluster's jobs used, as the launcher
     * named it when the job claimed it: Docker's rename events for warm sandboxes, start events for cold ones
     * (the sandbox itself is removed soon after its job).
     */
    static Starts recordStarts(CfiddleCluster cluster) {
        return new Starts(cluster);
    }

    /**
     * Where a sandbox ran: the worker and the Slurm job, as the launcher named it, and whether the job found it
     * warm (claimed it by renaming) rather than starting it cold.
     */
    record Start(String node, String job, boolean warm) {
    }

    static final class Starts implements AutoCloseable {
        private final Map<String, Start> byHostname = new ConcurrentHashMap<>();
        /** When each container (by hostname) was created, started, renamed (claimed), died and was destroyed. */
        private final Map<String, Map<String, Long>> eventNanos = new ConcurrentHashMap<>();
        private final ResultCallback.Adapter<Event> subscription;

        private Starts(CfiddleCluster cluster) {
            // From a second ago: the engine replays what it saw since then, so no start falls between this call
            // and the subscription taking effect.
            String since = Long.toString(Instant.now().getEpochSecond() - 1);
            subscription = DockerClientFactory.instance().client().eventsCmd()
                    .withEventTypeFilter(EventType.CONTAINER)
                    .withEventFilter("create", "start", "rename", "die", "destroy")
                    .withLabelFilter(Map.of(CLUSTER_LABEL, cluster.clusterName())).withSince(since)
                    .exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(Event event) {
                            String hostname = event.getActor().getId().substring(0, HOSTNAME_LENGTH);
                            eventNanos.computeIfAbsent(hostname, h -> new ConcurrentHashMap<>())
                                    .putIfAbsent(event.getAction(), event.getTimeNano());
                            if (!"start".equals(event.getAction()) && !"rename".equals(event.getAction())) {
                                return;
                            }
                            Map<String, String> attributes = event.getActor().getAttributes();
                            Matcher job = JOB_IN_NAME.matcher(attributes.getOrDefault("name", ""));
                            if (job.find()) {
                                byHostname.put(hostname, new Start(attributes.get(NODE_LABEL), job.group(1),
                                                "rename".equals(event.getAction())));
                            }
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

        /** When the engine saw ACTION (create, start, rename, die, destroy) happen to this sandbox, if it did. */
        Optional<Long> nanos(String hostname, String action) {
            return Optional.ofNullable(eventNanos.getOrDefault(hostname, Map.of()).get(action));
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
