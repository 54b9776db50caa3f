package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.stack.StackNames;
import io.github.cfiddlecluster.stack.StackRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One deploy: preflight, swarm and labels, images, secrets and configs, the rendered stack, then the wait until
 * the cluster is ready. A failed preflight check has created nothing.
 */
final class Deployment {
    static final int LOG_TAIL_LINES = 30;
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final SwarmEngine engine;
    private final DeployLog log;
    private final StackResources resources;
    private final Clock clock;
    private final ReadinessWaiter.Sleeper sleeper;

    Deployment(SwarmEngine engine, DeployLog log, ClusterSecrets secrets, Clock clock, ReadinessWaiter.Sleeper sleeper) {
        this.engine = engine;
        this.log = log;
        this.resources = new StackResources(engine, log, secrets);
        this.clock = clock;
        this.sleeper = sleeper;
    }

    ClusterDeployer.DeployResult deploy(DeployConfig config) throws DeployException {
        Instant start = clock.instant();
        Preflight.Plan plan = new Preflight(engine).check(config);
        SwarmEngine.EngineInfo info = plan.engine();
        log.info("Docker engine " + info.serverVersion() + " (API " + info.apiVersion() + ")"
                + (info.inSwarm() ? ", swarm manager" : ""));
        plan.notes().forEach(log::info);

        // From here on, things are created.
        String headNodeId = plan.headNodeId();
        Map<String, Map<String, String>> labels = new LinkedHashMap<>(plan.labelsToAdd());
        if (plan.initSwarm()) {
            log.info("initialising a single-node swarm (docker swarm init)");
            engine.initSwarm();
            info = engine.info();
            headNodeId = info.nodeId();
            labels.put(headNodeId, Map.of(StackNames.HEAD_LABEL, "true", StackNames.USER_LABEL, "true",
                    StackNames.WORKER_LABEL, "true"));
        }
        for (Map.Entry<String, Map<String, String>> e : labels.entrySet()) {
            log.debug("labelling node " + e.getKey() + " " + e.getValue());
            engine.addNodeLabels(e.getKey(), e.getValue());
        }
        Map<String, String> pushedImages = Map.of();
        if (config.clusterRegistry()) {
            pushedImages = new ClusterRegistry(engine, log, clock, sleeper).distribute(config, node(headNodeId),
                    Preflight.IMAGE_ROLES);
        } else if (config.registry() != null) {
            for (String role : Preflight.IMAGE_ROLES) {
                log.info("pushing " + config.stackImage(role));
                engine.push(config.localImage(role), config.stackImage(role));
            }
        }

        Map<String, byte[]> created = resources.createMissingSecrets(config.stackName());
        String usersConfig = resources.ensureUsersConfig(config);
        String passwordsSecret = resources.ensurePasswordsSecret(config);
        Path stackFile = writeStackFile(config, new StackRenderer().render(config.stackSettings(pushedImages,
                plan.imageIds().get("cluster"), plan.imageIds().get("user"), plan.imageIds().get("dashboard"), usersConfig,
                passwordsSecret)));
        replaceWorkerServiceOnModeChange(config);
        log.info("deploying stack " + config.stackName() + " from " + stackFile);
        engine.deployStack(stackFile, config.stackName(), config.registry() != null);

        boolean headIsLocal = headNodeId.equals(info.nodeId());
        StackProbe probe = new StackProbe(engine, config.stackName(), info.nodeId(), headIsLocal);
        ReadinessWaiter.Outcome outcome = new ReadinessWaiter(clock, sleeper, POLL_INTERVAL, log)
                .await(probe, config.timeout());
        if (!outcome.ready()) {
            throw notReady(config, outcome);
        }
        if (headIsLocal) {
            forgetRemovedWorkers(probe, outcome.last());
        }
        if (usersConfig != null) {
            resources.removeUnusedUsersConfigs(config.stackName(), usersConfig);
        }
        if (passwordsSecret != null) {
            resources.removeUnusedPasswordsSecrets(config.stackName(), passwordsSecret);
        }

        String url = hubUrl(config, headIsLocal);
        Duration elapsed = Duration.between(start, clock.instant());
        List<String> workers = outcome.last().workers();
        log.info(String.format("cfiddle cluster '%s' is ready after %.1f s (%.1f s after the stack deploy): %d worker%s"
                        + " idle (%s)", config.stackName(), elapsed.toMillis() / 1000.0, outcome.elapsed().toMillis() / 1000.0,
                workers.size(), workers.size() == 1 ? "" : "s", String.join(", ", workers)));
        log.info("JupyterHub: " + url + " : " + howToLogIn(config, passwordsSecret));
        log.info("Dashboard: " + url.replaceAll("/+$", "") + StackNames.DASHBOARD_PATH
                + " : the workers, the queue and the day's history, with the same logins (JSON under api/)");
        return new ClusterDeployer.DeployResult(elapsed, workers, stackFile, url, List.copyOf(created.keySet()));
    }

    /** Swarm cannot change a service's mode: going from one worker per node to N replicas (or back) replaces it. */
    private void replaceWorkerServiceOnModeChange(DeployConfig config) throws DeployException {
        String name = StackNames.serviceName(config.stackName(), StackNames.WORKER);
        boolean wantGlobal = config.workers() == 0;
        // a copy: removing the service changes the engine's list
        for (SwarmEngine.ServiceInfo s : List.copyOf(engine.services())) {
            if (s.name().equals(name) && s.global() != wantGlobal) {
                log.info("switching the workers from " + (s.global() ? "one per labelled node" : s.replicas() + " replicas")
                        + " to " + (wantGlobal ? "one per labelled node" : config.workers() + " replicas")
                        + ": swarm cannot change a service's mode, so " + name + " is removed and created again");
                engine.removeService(name);
            }
        }
    }

    private static String howToLogIn(DeployConfig config, String passwordsSecret) {
        String login = passwordsSecret == null
                ? "no student can log in yet: deploy with -Dcfiddle.passwordsFile=FILE (name:crypt-hash lines)"
                : "students log in with their account name and their password (hashes from the passwords file)";
        return login + (config.admins().isEmpty() ? "" : "; admins (" + String.join(", ", config.admins())
                + ") also get the Admin page");
    }

    private static Path writeStackFile(DeployConfig config, String text) throws DeployException {
        Path file = config.outputDirectory().resolve(config.stackName() + "-stack.yml");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeployException.InvalidConfiguration(List.of("cannot write the stack file " + file + ": " + e));
        }
        return file;
    }

    private DeployException notReady(DeployConfig config, ReadinessWaiter.Outcome outcome) throws DeployException {
        Readiness.Snapshot last = outcome.last();
        Readiness.ServiceState waiting = last.firstWaiting();
        String service = waiting != null ? waiting.name() : StackNames.WORKER;
        List<String> tail = engine.serviceLogTail(StackNames.serviceName(config.stackName(), service), LOG_TAIL_LINES);
        String message = String.format("the cluster was not ready after %d s: %s", config.timeout().toSeconds(),
                last.progress());
        return new DeployException.NotReadyInTime(message, service, tail);
    }

    /**
     * Workers scaled away stay listed by Slurm (down) until deleted; forget those no running worker task has (a node
     * still running a job refuses the delete, and is left alone).
     */
    private void forgetRemovedWorkers(StackProbe probe, Readiness.Snapshot last) {
        if (last.slurmNodes() == null) {
            return;
        }
        for (SlurmNode node : last.slurmNodes().values()) {
            if (!last.workers().contains(node.name())) {
                try {
                    SwarmEngine.ExecResult r = probe.controllerExec(List.of("scontrol", "delete", "nodename=" + node.name()));
                    if (r.ok()) {
                        log.info("removed Slurm node " + node.name() + " (its worker no longer exists)");
                    } else {
                        log.warn("Slurm node " + node.name() + " has no worker any more but could not be removed: "
                                + r.stderr().strip());
                    }
                } catch (DeployException e) {
                    log.warn("could not remove the stale Slurm node " + node.name() + ": " + e.getMessage());
                }
            }
        }
    }

    private SwarmEngine.NodeInfo node(String id) throws DeployException {
        return engine.nodes().stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new DeployException.EngineError("node " + id + " is not in the swarm's node list", null));
    }

    /**
     * The hub is published on the user node (labelled {@code cfiddle.user}), at its public host name
     * ({@code cfiddle.hubHost}): the only name it answers logins for, since each student's server is at
     * NAME.HOST. With the default (localhost) on a user node elsewhere, the URL works only on that node: say so.
     */
    private String hubUrl(DeployConfig config, boolean headIsLocal) throws DeployException {
        String host = config.cluster().hubHost();
        if (host.equals("localhost")) {
            SwarmEngine.NodeInfo userNode = engine.nodes().stream().filter(n -> n.labelled(StackNames.USER_LABEL))
                    .findFirst().orElse(null);
            boolean local = userNode == null ? headIsLocal : userNode.id().equals(engine.info().nodeId());
            if (!local) {
                log.warn("the hub's host name is localhost (cfiddle.hubHost): it works only in a browser on the user node"
                        + (userNode == null ? "" : " (" + userNode.address() + ")") + "; set -Dcfiddle.hubHost to a name"
                        + " that, with every *.NAME, resolves to it (README: several hosts)");
            }
        }
        return "http://" + host + ":" + config.jupyterPort() + "/";
    }
}
