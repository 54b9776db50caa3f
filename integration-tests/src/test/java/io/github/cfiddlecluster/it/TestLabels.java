package io.github.cfiddlecluster.it;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.containers.Network;

/**
 * The labels on every container and network the test fixtures create on the engine, so that what an aborted run
 * left behind can be found and removed ({@link Leftovers}): Ryuk, Testcontainers' own reaper, is off (it is an
 * image to pull, and the build runs offline).
 */
final class TestLabels {
    /** On everything the fixtures create. */
    static final String TEST = "io.github.cfiddle-cluster.test";
    /** The test JVM that created it: host, pid and start time. What a live run created is never removed. */
    static final String OWNER = "io.github.cfiddle-cluster.test.owner";
    /** On a test cluster's nodes: the name its sandboxes carry in their {@code cfiddle.cluster} label. */
    static final String CLUSTER = "io.github.cfiddle-cluster.test.cluster";

    private static final String HOST = hostName();
    private static final String THIS_JVM = owner(ProcessHandle.current());

    private TestLabels() {
    }

    /** For a container or network that belongs to no cluster. */
    static Map<String, String> ofThisRun() {
        return Map.of(TEST, "true", OWNER, THIS_JVM);
    }

    /** For a node of the test cluster whose sandboxes are labelled {@code cfiddle.cluster=clusterName}. */
    static Map<String, String> ofCluster(String clusterName) {
        return Map.of(TEST, "true", OWNER, THIS_JVM, CLUSTER, clusterName);
    }

    static Network newNetwork() {
        return Network.builder().createNetworkCmdModifier(cmd -> cmd.withLabels(ofThisRun())).build();
    }

    /**
     * Whether the owner label names a test JVM still running on this host (the same pid started at the same
     * time), i.e. another run going on at the same time, or this one. A label of another host cannot be checked:
     * false.
     */
    static boolean ownerIsAlive(String owner) {
        String[] parts = owner == null ? new String[0] : owner.split("/", -1);
        if (parts.length != 3 || !parts[0].equals(HOST)) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(parts[1]))
                    .map(process -> process.info().startInstant().map(start -> Long.toString(start.toEpochMilli()))
                            .map(parts[2]::equals)
                            .orElse(true)) // a live process whose start time cannot be read: assume it is the owner
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String owner(ProcessHandle process) {
        String started = process.info().startInstant().map(start -> Long.toString(start.toEpochMilli())).orElse("");
        return HOST + "/" + process.pid() + "/" + started;
    }

    private static String hostName() {
        Path kernelHostName = Path.of("/proc/sys/kernel/hostname");
        try {
            return Files.isReadable(kernelHostName) ? Files.readString(kernelHostName).strip()
                    : InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
