package io.github.cfiddlecluster.stack;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How many processes (threads included) each container of a cluster may have: a process storm in one container
 * stops at its own limit and leaves the host's process table, and so every other service, alone (a host that runs
 * out of processes fails its health checks and loses its workers). Sandboxes have their own limit
 * ({@code cfiddle.sandboxPids}); the user node's is a setting ({@code cfiddle.userNodeProcessLimit}: it grows with
 * the course), and each student's processes there are further capped ({@code cfiddle.studentProcessLimit}). The
 * stack (both renderers, as {@code ${PIDS_SERVICE}}) and the test fixture take them from here.
 */
public final class ServiceLimits {
    private static final Map<String, Integer> PIDS = Map.of(
            StackNames.DB, 512,                // MariaDB: a thread per connection
            StackNames.SLURMDBD, 256,
            StackNames.CONTROLLER, 1024,       // slurmctld serves up to 256 RPC threads at once
            StackNames.WORKER, 1024,           // slurmd, a slurmstepd, launcher and sudo per job, the cleanups
            StackNames.DASHBOARD, 512,         // the JVM and its Slurm commands
            StackNames.REGISTRY, 256,
            StackNames.REGISTRY_MIRROR, 256);

    private ServiceLimits() {
    }

    /** The process limit of a service (a name from {@link StackNames}) in a cluster with these settings. */
    public static int pids(String service, ClusterSettings settings) {
        if (service.equals(StackNames.USER)) {
            return settings.userNodeProcessLimit();
        }
        Integer limit = PIDS.get(service);
        if (limit == null) {
            throw new IllegalArgumentException("no process limit for service '" + service + "'");
        }
        return limit;
    }

    /** The templates' variables: {@code PIDS_SERVICE}, e.g. {@code PIDS_WORKER}. */
    public static Map<String, String> variables(ClusterSettings settings) {
        Map<String, String> variables = new LinkedHashMap<>();
        PIDS.forEach((service, limit) -> variables.put(variable(service), limit.toString()));
        variables.put(variable(StackNames.USER), Integer.toString(settings.userNodeProcessLimit()));
        return variables;
    }

    private static String variable(String service) {
        return "PIDS_" + service.toUpperCase(Locale.ROOT);
    }
}
