package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.StackNames;
import io.github.cfiddlecluster.stack.StackRenderer;
import io.github.cfiddlecluster.stack.StackSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Deploys, removes and inspects a cfiddle cluster stack. Knows nothing of Maven: give it a {@link DeployConfig},
 * a {@link SwarmEngine} and a {@link DeployLog}. Typed {@link DeployException}s say what went wrong; a deploy
 * that fails a preflight check has created nothing.
 */
public final class ClusterDeployer {
    static final int LOG_TAIL_LINES = 30;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    /** What a successful deploy reports. */
    public record DeployResult(Duration elapsed, List<String> workers, Path stackFile, String hubUrl,
            List<String> createdSecrets) {}

    private final SwarmEngine engine;
    private final DeployLog log;
    private final ClusterSecrets secrets;
    private final Clock clock;
    private final ReadinessWaiter.Sleeper sleeper;
    private final StackRenderer renderer = new StackRenderer();

    public ClusterDeployer(SwarmEngine engine, DeployLog log) {
        this(engine, log, new ClusterSecrets(), Clock.systemUTC(), ReadinessWaiter.Sleeper.REAL);
    }

    public ClusterDeployer(SwarmEngine engine, DeployLog log, ClusterSecrets secrets, Clock clock,
            ReadinessWaiter.Sleeper sleeper) {
        this.engine = engine;
        this.log = log;
        this.secrets = secrets;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    // ---------------------------------------------------------------------------------------------- deploy

    public DeployResult deploy(DeployConfig config) throws DeployException {
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

        Map<String, String> stackImages = new LinkedHashMap<>();
        Preflight.IMAGE_ROLES.forEach(role -> stackImages.put(role, config.stackImage(role)));
        if (config.clusterRegistry()) {
            stackImages.putAll(new ClusterRegistry(engine, log, clock, sleeper).distribute(config, node(headNodeId),
                    Preflight.IMAGE_ROLES));
        } else if (config.registry() != null) {
            for (String role : Preflight.IMAGE_ROLES) {
                log.info("pushing " + config.stackImage(role));
                engine.push(config.localImage(role), config.stackImage(role));
            }
        }

        Map<String, byte[]> created = createMissingSecrets(config.stackName());
        String usersConfig = ensureUsersConfig(config);
        String passwordsSecret = ensurePasswordsSecret(config);

        StackSettings settings = StackSettings.builder(config.stackName())
                .clusterImage(stackImages.get("cluster"), plan.imageIds().get("cluster"))
                .userImage(stackImages.get("user"), plan.imageIds().get("user"))
                .sandboxImage(stackImages.get("sandbox"))
                .workers(config.workers())
                .usersConfigName(usersConfig)
                .passwordsSecretName(passwordsSecret)
                .admins(String.join(",", config.admins()))
                .idleTimeoutSeconds(config.idleTimeoutSeconds())
                .jupyterPort(config.jupyterPort())
                .times(config.defaultTime(), config.maxTime(), config.timeLimit())
                .sandboxLimits(config.sandboxMemory(), config.sandboxPids())
                .sandboxOutputLimit(config.sandboxOutputLimit())
                .userLimits(config.userRunningLimit(), config.userSubmitLimit())
                .studentProcessLimit(config.studentProcessLimit())
                .build();
        Path stackFile = writeStackFile(config, renderer.render(settings));
        replaceWorkerServiceOnModeChange(config);
        log.info("deploying stack " + config.stackName() + " from " + stackFile);
        engine.deployStack(stackFile, config.stackName(), config.registry() != null);

        String selfNodeId = info.nodeId();
        boolean headIsLocal = headNodeId.equals(selfNodeId);
        StackProbe probe = new StackProbe(engine, config.stackName(), selfNodeId, headIsLocal);
        ReadinessWaiter.Outcome outcome = new ReadinessWaiter(clock, sleeper, POLL_INTERVAL, log)
                .await(probe, config.timeout());
        if (!outcome.ready()) {
            throw notReady(config, outcome);
        }
        if (headIsLocal) {
            forgetRemovedWorkers(probe, outcome.last());
        }
        if (usersConfig != null) {
            removeUnusedUsersConfigs(config.stackName(), usersConfig);
        }
        if (passwordsSecret != null) {
            removeUnusedPasswordsSecrets(config.stackName(), passwordsSecret);
        }

        String url = hubUrl(config, headIsLocal);
        Duration elapsed = Duration.between(start, clock.instant());
        List<String> workers = outcome.last().workers();
        log.info(String.format("cfiddle cluster '%s' is ready after %.1f s (%.1f s after the stack deploy): %d worker%s"
                        + " idle (%s)", config.stackName(), elapsed.toMillis() / 1000.0, outcome.elapsed().toMillis() / 1000.0,
                workers.size(), workers.size() == 1 ? "" : "s", String.join(", ", workers)));
        log.info("JupyterHub: " + url + " : " + howToLogIn(config, passwordsSecret));
        return new DeployResult(elapsed, workers, stackFile, url, List.copyOf(created.keySet()));
    }

    private SwarmEngine.NodeInfo node(String id) throws DeployException {
        return engine.nodes().stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new DeployException.EngineError("node " + id + " is not in the swarm's node list", null));
    }

    /** Swarm cannot change a service's mode: going from one worker per node to N replicas (or back) replaces it. */
    private void replaceWorkerServiceOnModeChange(DeployConfig config) throws DeployException {
        String name = StackNames.serviceName(config.stackName(), StackNames.WORKER);
        boolean wantGlobal = config.workers() == 0;
        for (SwarmEngine.ServiceInfo s : engine.services()) {
            if (s.name().equals(name) && s.global() != wantGlobal) {
                log.info("switching the workers from " + (s.global() ? "one per labelled node" : s.replicas() + " replicas")
                        + " to " + (wantGlobal ? "one per labelled node" : config.workers() + " replicas")
                        + ": swarm cannot change a service's mode, so " + name + " is removed and created again");
                engine.removeService(name);
            }
        }
    }

    private Map<String, byte[]> createMissingSecrets(String stack) throws DeployException {
        Map<String, byte[]> created = new LinkedHashMap<>();
        Map<String, String> missing = ClusterSecrets.missing(stack, engine.secrets().keySet());
        for (String secret : StackNames.SECRETS) {
            String name = StackNames.secretName(stack, secret);
            if (missing.containsKey(secret)) {
                byte[] value = secrets.generate(secret);
                engine.createSecret(name, value, Map.of(StackNames.OWNER_LABEL, stack));
                created.put(secret, value);
                log.info("created secret " + name);
            } else {
                log.debug("keeping secret " + name);
            }
        }
        return created;
    }

    private String ensureUsersConfig(DeployConfig config) throws DeployException {
        byte[] content;
        try {
            content = config.usersFileContent();
        } catch (IOException e) {
            throw new DeployException.InvalidConfiguration(List.of("users file " + config.usersFile()
                    + " cannot be read: " + e.getMessage()));
        }
        if (content == null) {
            return null;
        }
        String name = StackNames.usersConfigName(config.stackName(), contentHash(content));
        if (!engine.configs().contains(name)) {
            engine.createConfig(name, content, Map.of(StackNames.OWNER_LABEL, config.stackName()));
            log.info("created config " + name + " from " + config.usersFile());
        }
        return name;
    }

    /**
     * The swarm secret with the students' password hashes: a new one (named by its content) when a passwords file
     * is given, else the one the previous deploy made, so that a redeploy for another reason keeps the passwords.
     */
    private String ensurePasswordsSecret(DeployConfig config) throws DeployException {
        String prefix = StackNames.passwordsSecretName(config.stackName(), "");
        byte[] content;
        try {
            content = config.passwordsFileContent();
        } catch (IOException e) {
            throw new DeployException.InvalidConfiguration(List.of("passwords file " + config.passwordsFile()
                    + " cannot be read: " + e.getMessage()));
        }
        if (content == null) {
            String kept = engine.secrets().keySet().stream().filter(n -> n.startsWith(prefix)).sorted().findFirst()
                    .orElse(null);
            if (kept != null) {
                log.info("keeping the students' passwords of the previous deploy (secret " + kept + ")");
            }
            return kept;
        }
        String name = StackNames.passwordsSecretName(config.stackName(), contentHash(content));
        if (!engine.secrets().containsKey(name)) {
            engine.createSecret(name, content, Map.of(StackNames.OWNER_LABEL, config.stackName()));
            log.info("created secret " + name + " from " + config.passwordsFile());
        }
        return name;
    }

    private void removeUnusedPasswordsSecrets(String stack, String current) throws DeployException {
        String prefix = StackNames.passwordsSecretName(stack, "");
        for (String name : List.copyOf(engine.secrets().keySet())) {
            if (name.startsWith(prefix) && !name.equals(current)) {
                try {
                    engine.removeSecret(name);
                    log.debug("removed the previous passwords secret " + name);
                } catch (DeployException e) {
                    log.warn("the previous passwords secret " + name + " could not be removed yet: " + e.getMessage());
                }
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

    static String contentHash(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        if (last.slurmStates() == null) {
            return;
        }
        for (Map.Entry<String, String> node : last.slurmStates().entrySet()) {
            if (!last.workers().contains(node.getKey())) {
                try {
                    SwarmEngine.ExecResult r = probe.controllerExec(List.of("scontrol", "delete", "nodename=" + node.getKey()));
                    if (r.ok()) {
                        log.info("removed Slurm node " + node.getKey() + " (its worker no longer exists)");
                    } else {
                        log.warn("Slurm node " + node.getKey() + " has no worker any more but could not be removed: "
                                + r.stderr().strip());
                    }
                } catch (DeployException e) {
                    log.warn("could not remove the stale Slurm node " + node.getKey() + ": " + e.getMessage());
                }
            }
        }
    }

    private void removeUnusedUsersConfigs(String stack, String current) throws DeployException {
        String prefix = StackNames.usersConfigName(stack, "");
        for (String name : engine.configs()) {
            if (name.startsWith(prefix) && !name.equals(current) && engine.removeConfig(name)) {
                log.debug("removed the previous users config " + name);
            }
        }
    }

    /** The hub is published on the user node (labelled {@code cfiddle.user}). */
    private String hubUrl(DeployConfig config, boolean headIsLocal) throws DeployException {
        SwarmEngine.NodeInfo userNode = engine.nodes().stream().filter(n -> n.labelled(StackNames.USER_LABEL))
                .findFirst().orElse(null);
        String self = engine.info().nodeId();
        String host = userNode == null ? (headIsLocal ? "localhost" : "<user node>")
                : userNode.id().equals(self) ? "localhost" : userNode.address();
        return "http://" + host + ":" + config.jupyterPort() + "/";
    }

    /**
     * Runs a command in the running task container of one of the stack's services on this engine, e.g. an
     * experiment on the user node: {@code exec(config, "user", List.of("python3", "-c", code), "student", "/home/student")}.
     */
    public SwarmEngine.ExecResult exec(DeployConfig config, String service, List<String> command, String user,
            String workingDir) throws DeployException {
        SwarmEngine.EngineInfo info = engine.info();
        return new StackProbe(engine, config.stackName(), info.nodeId(), true)
                .serviceExec(service, command, user, workingDir);
    }

    // -------------------------------------------------------------------------------------------- undeploy

    /** Removes the stack; keeps its volumes and secrets unless {@link DeployConfig#purge()}. */
    public void undeploy(DeployConfig config) throws DeployException {
        String stack = config.stackName();
        requireManager();
        List<SwarmEngine.ServiceInfo> services = stackServices(stack);
        if (services.isEmpty()) {
            log.info("stack " + stack + " is not deployed");
        } else {
            log.info("removing stack " + stack + " (" + services.size() + " services)");
            engine.removeStack(stack);
            awaitGone(stack, config.timeout());
        }
        new ClusterRegistry(engine, log, clock, sleeper).remove(config);
        List<String> volumes = engine.volumes(StackNames.STACK_NAMESPACE_LABEL, stack);
        List<String> secretNames = engine.secrets().entrySet().stream()
                .filter(e -> stack.equals(e.getValue().get(StackNames.OWNER_LABEL))
                        || StackNames.SECRETS.stream().anyMatch(s -> StackNames.secretName(stack, s).equals(e.getKey())))
                .map(Map.Entry::getKey).sorted().collect(Collectors.toList());
        List<String> configs = engine.configs().stream()
                .filter(n -> n.startsWith(StackNames.usersConfigName(stack, ""))).sorted().collect(Collectors.toList());
        if (config.purge()) {
            for (String v : volumes) {
                if (!engine.removeVolume(v)) {
                    log.warn("volume " + v + " is still in use; not removed");
                } else {
                    log.info("removed volume " + v);
                }
            }
            for (String s : secretNames) {
                engine.removeSecret(s);
                log.info("removed secret " + s);
            }
            for (String c : configs) {
                engine.removeConfig(c);
                log.info("removed config " + c);
            }
        } else if (!volumes.isEmpty() || !secretNames.isEmpty()) {
            log.info("kept for the next deploy: volumes " + (volumes.isEmpty() ? "(none)" : String.join(", ", volumes))
                    + "; secrets " + (secretNames.isEmpty() ? "(none)" : String.join(", ", secretNames))
                    + " (purging removes them: homes, accounting and the keys are then lost)");
        }
    }

    private void requireManager() throws DeployException {
        SwarmEngine.EngineInfo info = engine.info();
        if (!info.inSwarm()) {
            throw new DeployException.NotSwarmManager("the Docker engine is not part of a swarm", false);
        }
        if (!info.manager()) {
            throw new DeployException.NotSwarmManager("the Docker engine is a swarm worker, not a manager", true);
        }
    }

    private List<SwarmEngine.ServiceInfo> stackServices(String stack) throws DeployException {
        return engine.services().stream()
                .filter(s -> stack.equals(s.labels().get(StackNames.STACK_NAMESPACE_LABEL)))
                .collect(Collectors.toList());
    }

    /** docker stack rm returns at once; volumes and the network can go only once the containers have. */
    private void awaitGone(String stack, Duration timeout) throws DeployException {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            int containers = engine.containers(StackNames.STACK_NAMESPACE_LABEL, stack).size();
            boolean network = engine.networks().containsKey(stack + "_" + StackNames.NETWORK);
            if (containers == 0 && !network) {
                log.info("stack " + stack + " removed");
                return;
            }
            if (!clock.instant().isBefore(deadline)) {
                log.warn("after " + timeout.toSeconds() + " s, " + containers + " containers of stack " + stack
                        + (network ? " and its network" : "") + " remain; they will go shortly");
                return;
            }
            try {
                sleeper.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeployException("interrupted", e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- status

    /** Lines describing the swarm nodes with their Slurm state, the services, the queue and recent jobs. */
    public List<String> status(DeployConfig config) throws DeployException {
        String stack = config.stackName();
        requireManager();
        SwarmEngine.EngineInfo info = engine.info();
        List<String> out = new ArrayList<>();
        List<SwarmEngine.ServiceInfo> services = stackServices(stack);
        StackProbe probe = new StackProbe(engine, stack, info.nodeId(), true);
        Map<String, String> slurm = services.isEmpty() ? null : probe.slurmStates();
        Map<String, List<String>> workersByNode = services.isEmpty() ? Map.of() : probe.workersByNode();

        out.add("Swarm nodes:");
        for (SwarmEngine.NodeInfo n : engine.nodes()) {
            List<String> roles = new ArrayList<>();
            if (n.labelled(StackNames.HEAD_LABEL)) {
                roles.add("head");
            }
            if (n.labelled(StackNames.USER_LABEL)) {
                roles.add("user");
            }
            if (n.labelled(StackNames.WORKER_LABEL)) {
                roles.add("worker");
            }
            String workers = workersByNode.getOrDefault(n.id(), List.of()).stream()
                    .map(w -> w + "=" + (slurm == null ? "?" : slurm.getOrDefault(w, "not registered")))
                    .collect(Collectors.joining(" "));
            out.add(String.format("  %-20s %-8s %-6s %-14s %s", n.hostname(), n.manager() ? "manager" : "worker",
                    n.state(), roles.isEmpty() ? "-" : String.join(",", roles), workers.isEmpty() ? "" : "slurm: " + workers));
        }
        if (services.isEmpty()) {
            out.add("Stack " + stack + " is not deployed.");
            return out;
        }
        out.add("Services of stack " + stack + ":");
        for (Readiness.ServiceState s : probe.serviceStates()) {
            out.add(String.format("  %-12s %d/%d %s", s.name(), s.running(), s.expected(),
                    s.converged() ? "ready" : (s.problem() == null ? "starting" : s.problem())));
        }
        out.add("Notebook servers per user (JupyterHub):");
        try {
            SwarmEngine.ExecResult ps = probe.serviceExec(StackNames.USER, HubServers.PS_COMMAND);
            out.addAll(ps.ok() ? HubServers.describe(ps.stdout()) : List.of("  (ps failed: " + ps.stderr().strip() + ")"));
        } catch (DeployException e) {
            out.add("  (the user node is not running on this engine's node)");
        }
        if (slurm == null) {
            out.add("Slurm: the controller is not running on this engine's node; queue and jobs unavailable.");
            return out;
        }
        List<String> stale = slurm.keySet().stream().filter(w -> workersByNode.values().stream().noneMatch(l -> l.contains(w)))
                .collect(Collectors.toList());
        if (!stale.isEmpty()) {
            out.add("Slurm nodes without a worker task: " + stale.stream().map(w -> w + "=" + slurm.get(w))
                    .collect(Collectors.joining(" ")));
        }
        out.add("Queue (squeue):");
        SwarmEngine.ExecResult queue = probe.controllerExec(List.of("squeue", "--format=%.8i %.10u %.10j %.9T %.10M %R"));
        queue.stdout().lines().forEach(l -> out.add("  " + l));
        out.add("Recent jobs per user (sacct, last 7 days):");
        SwarmEngine.ExecResult jobs = probe.controllerExec(List.of("sacct", "--allusers", "--allocations", "--noheader",
                "--parsable2", "--starttime=now-7days", "--format=User,JobID,JobName,State,Elapsed,End,NodeList"));
        if (!jobs.ok()) {
            out.add("  (sacct failed: " + jobs.stderr().trim() + ")");
        } else {
            out.addAll(formatJobsPerUser(jobs.stdout(), 5));
        }
        return out;
    }

    /** sacct --parsable2 lines (User|JobID|JobName|State|Elapsed|End|NodeList), grouped by user, newest last. */
    static List<String> formatJobsPerUser(String sacct, int perUser) {
        Map<String, List<String[]>> byUser = new TreeMap<>();
        for (String line : sacct.split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length >= 7 && !f[0].isEmpty()) {
                byUser.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
        }
        List<String> out = new ArrayList<>();
        if (byUser.isEmpty()) {
            out.add("  (none)");
        }
        for (Map.Entry<String, List<String[]>> e : byUser.entrySet()) {
            List<String[]> jobs = e.getValue();
            long failed = jobs.stream().filter(j -> !j[3].startsWith("COMPLETED") && !j[3].startsWith("RUNNING")
                    && !j[3].startsWith("PENDING")).count();
            out.add("  " + e.getKey() + ": " + jobs.size() + " job" + (jobs.size() == 1 ? "" : "s")
                    + (failed > 0 ? ", " + failed + " not completed" : ""));
            for (String[] j : jobs.subList(Math.max(0, jobs.size() - perUser), jobs.size())) {
                out.add(String.format("    %-8s %-10s %-12s %-10s %-19s %s", j[1], j[2], j[3], j[4], j[5], j[6]));
            }
        }
        return out;
    }
}
