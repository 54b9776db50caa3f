package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.SlurmNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What "the cluster is ready" means, computed from one look at the swarm and at Slurm. */
public final class Readiness {
    private Readiness() {}

    /**
     * One service: how many up-to-date tasks run (and passed their healthcheck: swarm reports a task with a
     * healthcheck as running only once it is healthy) against how many are wanted.
     */
    public record ServiceState(String name, int running, int expected, String updateState, String problem) {
        public boolean converged() {
            return expected > 0 && running >= expected && !isUpdating();
        }

        boolean isUpdating() {
            return updateState != null && !updateState.isEmpty() && !updateState.equals("completed")
                    && !updateState.equals("rollback_completed");
        }

        String describe() {
            List<String> notes = new ArrayList<>();
            if (isUpdating()) {
                notes.add("update " + updateState);
            }
            if (problem != null && !problem.isEmpty()) {
                notes.add(problem);
            }
            return name + " " + running + "/" + expected + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
        }
    }

    /**
     * The whole cluster at one moment.
     *
     * @param services in start order
     * @param workers the Slurm node names the running worker tasks have
     * @param slurmNodes Slurm's nodes by name, or null when Slurm could not be asked (e.g. the controller is on
     *     another host): then the workers' healthchecks (not DOWN in sinfo) vouch for them
     */
    public record Snapshot(List<ServiceState> services, List<String> workers, Map<String, SlurmNode> slurmNodes) {
        public boolean servicesConverged() {
            return services.stream().allMatch(ServiceState::converged);
        }

        public List<String> readyWorkers() {
            if (slurmNodes == null) {
                return servicesConverged() ? workers : List.of();
            }
            return workers.stream().filter(w -> slurmNodes.containsKey(w) && slurmNodes.get(w).available())
                    .collect(Collectors.toList());
        }

        public boolean ready() {
            return servicesConverged() && !workers.isEmpty() && readyWorkers().size() == workers.size();
        }

        /** The first service in start order that is not converged, or null. */
        public ServiceState firstWaiting() {
            return services.stream().filter(s -> !s.converged()).findFirst().orElse(null);
        }

        /** One line for the log: "services ready 3/5 (waiting for slurmctld 0/1, ...); workers ready 1/2 (...)". */
        public String progress() {
            long converged = services.stream().filter(ServiceState::converged).count();
            StringBuilder line = new StringBuilder("services ready " + converged + "/" + services.size());
            List<String> waiting = new ArrayList<>();
            for (ServiceState s : services) {
                if (!s.converged()) {
                    waiting.add(s.describe());
                }
            }
            if (!waiting.isEmpty()) {
                line.append(" (waiting for ").append(String.join(", ", waiting)).append(")");
            }
            List<String> ready = readyWorkers();
            line.append("; workers ready ").append(ready.size()).append("/").append(workers.size());
            List<String> notReady = new ArrayList<>();
            for (String w : workers) {
                if (!ready.contains(w)) {
                    SlurmNode node = slurmNodes == null ? null : slurmNodes.get(w);
                    notReady.add(w + " " + (node == null ? "not registered" : node.describe()));
                }
            }
            if (!notReady.isEmpty()) {
                line.append(" (").append(String.join(", ", notReady)).append(")");
            }
            return line.toString();
        }
    }
}
