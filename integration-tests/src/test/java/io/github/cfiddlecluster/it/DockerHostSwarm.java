package io.github.cfiddlecluster.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * A swarm of several Docker hosts on one machine: {@link DockerHost}s on one bridge, the first a manager labelled
 * as the head, the others joined as swarm workers, labelled as cfiddle workers. Nothing of it touches this
 * machine's own engine's swarm.
 *
 * <pre>
 * try (DockerHostSwarm swarm = DockerHostSwarm.withHead("head", DockerHostImage.TRIXIE)
 *         .worker("host-a", DockerHostImage.BOOKWORM).worker("host-b", DockerHostImage.TRIXIE).start()) {
 *     swarm.head().docker("node", "ls");
 * }
 * </pre>
 */
final class DockerHostSwarm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DockerHostSwarm.class);
    static final String HEAD_LABEL = "cfiddle.head";
    static final String WORKER_LABEL = "cfiddle.worker";

    private final Map<String, DockerHostImage> planned = new LinkedHashMap<>();
    private final String headName;
    private Network network;
    private final Map<String, DockerHost> hosts = new LinkedHashMap<>();

    private DockerHostSwarm(String headName, DockerHostImage image) {
        this.headName = headName;
        planned.put(headName, image);
    }

    static DockerHostSwarm withHead(String name, DockerHostImage image) {
        return new DockerHostSwarm(name, image);
    }

    DockerHostSwarm worker(String name, DockerHostImage image) {
        planned.put(name, image);
        return this;
    }

    /** Starts the hosts, makes the swarm and labels its nodes. */
    DockerHostSwarm start() {
        long started = System.nanoTime();
        network = TestLabels.newNetwork();
        // Every engine may pull over plain HTTP from any address of this network (the cluster's read-only registry).
        String subnet = DockerClientFactory.instance().client().inspectNetworkCmd().withNetworkId(network.getId()).exec()
                .getIpam().getConfig().get(0).getSubnet();
        planned.forEach((name, image) -> hosts.put(name, new DockerHost(name, image, network, subnet)));
        try {
            hosts.values().parallelStream().forEach(DockerHost::start);
            DockerHost head = head();
            head.docker("swarm", "init", "--advertise-addr", head.address());
            String token = head.docker("swarm", "join-token", "--quiet", "worker").strip();
            for (DockerHost host : workers()) {
                host.docker("swarm", "join", "--token", token, head.address() + ":2377");
            }
            label(head, HEAD_LABEL, true);
            for (DockerHost host : workers()) {
                label(host, WORKER_LABEL, true);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("swarm of {} Docker hosts ({}) in {} ms", hosts.size(), describe(), (System.nanoTime() - started) / 1_000_000);
        return this;
    }

    DockerHost head() {
        return hosts.get(headName);
    }

    DockerHost host(String name) {
        DockerHost host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name + " in this swarm: " + hosts.keySet());
        }
        return host;
    }

    List<DockerHost> workers() {
        List<DockerHost> workers = new ArrayList<>(hosts.values());
        workers.remove(head());
        return workers;
    }

    List<DockerHost> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Adds a node label (value true) to a host, or removes it, from the manager. */
    void label(DockerHost host, String label, boolean present) {
        head().docker("node", "update", present ? "--label-add" : "--label-rm", present ? label + "=true" : label, host.name());
    }

    /** The swarm's nodes as the manager lists them: hostname, status and availability. */
    String nodes() {
        return head().docker("node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}} {{.EngineVersion}}");
    }

    private String describe() {
        List<String> parts = new ArrayList<>();
        hosts.values().forEach(h -> parts.add(h.name() + ": engine " + h.engineVersion()));
        return String.join(", ", parts);
    }

    @Override
    public void close() {
        hosts.values().parallelStream().forEach(DockerHost::close);
        if (network != null) {
            network.close();
        }
    }
}
