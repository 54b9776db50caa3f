package io.github.cfiddlecluster.it;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.github.cfiddlecluster.slurm.CommandRunner;
import io.github.cfiddlecluster.slurm.SlurmJob;
import io.github.cfiddlecluster.slurm.SlurmNode;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.slurm.SlurmQueryException;
import io.github.cfiddlecluster.stack.ClusterSettings;
import io.github.cfiddlecluster.stack.ServiceLimits;
import io.github.cfiddlecluster.stack.StackNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ExecConfig;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startable;

/**
 * A whole cfiddle cluster on one Docker network, from the images under test and their own configuration:
 * accounting database, slurmdbd, slurmctld, N slurmd workers (sandboxes go to this host's engine) and the
 * user node with JupyterHub. A fresh munge key, database password and password per account are made for every
 * cluster (the user node gets only the passwords' hashes).
 *
 * <pre>
 * CfiddleCluster cluster = new CfiddleCluster().withWorkers(2).withUser("alice", 2001).withTimeLimit("0:20");
 * cluster.start();
 * String json = cluster.python("alice", "experiments/sweep.py");
 * HubSession alice = cluster.logIn("alice");
 * </pre>
 */
public final class CfiddleCluster implements Startable {
    private static final Logger LOG = LoggerFactory.getLogger(CfiddleCluster.class);
    /** The account the images' own users file defines, present in every cluster. */
    public static final String STUDENT = "student";
    public static final int STUDENT_UID = 1000;
    private static final String SCRIPTS_DIR = "/opt/cfiddle-tests";
    private static final Duration READY_DEADLINE = Duration.ofMinutes(3);
    /** Every node image's one definition of ready (node/healthcheck), which its HEALTHCHECK runs. */
    private static final String HEALTHCHECK = "/usr/local/lib/cfiddle-cluster/healthcheck";

    /** A test cluster's name: this prefix and 8 random hex digits (DeployIT's stack is "cfit"). */
    private static final String NAME_PREFIX = "cfit-";
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(NAME_PREFIX + "[0-9a-f]{8}");

    private final Map<String, Integer> users = new LinkedHashMap<>(Map.of(STUDENT, STUDENT_UID));
    private final Map<String, String> passwords = new LinkedHashMap<>();
    /** The nodes' settings, as a deploy gives them (defaults but a 1-minute experiment time limit). */
    private final ClusterSettings.Builder settings = ClusterSettings.builder().timeLimit("1");
    private ClusterSettings nodeSettings;
    private int workerCount = 1;
    /** Labels this cluster's sandboxes on the shared engine (the stack name, in a deployed cluster). */
    private final String clusterName = NAME_PREFIX + HexFormat.of().formatHex(randomBytes(4));
    private final byte[] mungeKey = randomBytes(1024);
    private byte[] usersFile;

    private Network network;
    /** Accounting (db, slurmdbd): only the controller joins it too, as in the stack. */
    private Network backend;
    private GenericContainer<?> db;
    private GenericContainer<?> dbd;
    private GenericContainer<?> controller;
    private final List<GenericContainer<?>> workers = new ArrayList<>();
    private GenericContainer<?> userNode;
    /** The dashboard (withDashboard): on the cluster's network (the hub's proxy, the controller) and accounting's. */
    private boolean withDashboard;
    private GenericContainer<?> dashboard;

    public CfiddleCluster withWorkers(int count) {
        this.workerCount = count;
        return this;
    }

    /** An account, defined once in the cluster's users file and so present on every node. */
    public CfiddleCluster withUser(String name, int uid) {
        users.put(name, uid);
        return this;
    }

    /**
     * Accounts (already added with {@link #withUser}) that get the hub's admin page and whose Slurm jobs may run
     * anything on a worker, for maintenance (CFIDDLE_ADMINS).
     */
    public CfiddleCluster withAdmins(String... names) {
        settings.admins(String.join(",", names));
        return this;
    }

    /** After how long an idle notebook server stops itself. */
    public CfiddleCluster withIdleTimeout(Duration timeout) {
        settings.idleTimeoutSeconds((int) timeout.toSeconds());
        return this;
    }

    /** Processes (threads included) one student may have at once on the user node. */
    public CfiddleCluster withStudentProcessLimit(int limit) {
        settings.studentProcessLimit(limit);
        return this;
    }

    public int studentProcessLimit() {
        return settings.build().studentProcessLimit();
    }

    /** Memory and CPUs of each student's cgroup on the user node, and their home's disk quota (sizes as 512m). */
    public CfiddleCluster withStudentLimits(String memory, String cpus, String diskQuota) {
        settings.studentMemory(memory).studentCpus(cpus).studentDiskQuota(diskQuota);
        return this;
    }

    /** The settings the nodes get. */
    public ClusterSettings settings() {
        return settings.build();
    }

    /** The dashboard service, behind the hub (its OAuth provider and proxy), as in the stack. */
    public CfiddleCluster withDashboard() {
        this.withDashboard = true;
        return this;
    }

    /** The time limit of every experiment's job (any Slurm --time format). */
    public CfiddleCluster withTimeLimit(String slurmTime) {
        settings.timeLimit(slurmTime);
        return this;
    }

    @Override
    public void start() {
        nodeSettings = settings.build();
        network = TestLabels.newNetwork();
        backend = TestLabels.newNetwork();
        byte[] dbPassword = HexFormat.of().formatHex(randomBytes(12)).getBytes(StandardCharsets.US_ASCII);
        usersFile = users.entrySet().stream()
                .map(u -> u.getKey() + ":" + u.getValue() + ":" + u.getValue() + "\n")
                .collect(Collectors.joining()).getBytes(StandardCharsets.US_ASCII);
        users.keySet().forEach(name -> passwords.put(name, HexFormat.of().formatHex(randomBytes(9))));
        byte[] passwordHashes = PasswordHashes.file(passwords);

        db = node(backend, "db", "db", StackNames.DB)
                .withCopyToContainer(Transferable.of(dbPassword, 0400), "/run/secrets/db_password")
                .waitingFor(ready());
        dbd = node(backend, "slurmdbd", "dbd", StackNames.SLURMDBD)
                .withCopyToContainer(Transferable.of(dbPassword, 0400), "/run/secrets/db_password")
                .withCopyToContainer(Transferable.of(mungeKey, 0400), "/run/secrets/munge.key")
                .waitingFor(ready());
        controller = node(backend, "slurmctld", "controller", StackNames.CONTROLLER)
                .withCopyToContainer(Transferable.of(mungeKey, 0400), "/run/secrets/munge.key")
                .withCopyToContainer(Transferable.of(usersFile, 0644), "/etc/cfiddle/users")
                .waitingFor(ready());
        for (int i = 1; i <= workerCount; i++) {
            workers.add(worker("worker" + i, mungeKey));
        }
        // The hub's origins include the port browsers use (http://localhost:PORT, http://NAME.localhost:PORT), so
        // the hub must know it before it starts: a free host port, bound to the container's 8888.
        int hubPort = freeHostPort();
        userNode = new GenericContainer<>(Images.USER)
                .withLabels(TestLabels.ofCluster(clusterName))
                .withNetwork(network).withNetworkAliases("usernode")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName("usernode");
                    cmd.getHostConfig().withPidsLimit((long) ServiceLimits.pids(StackNames.USER, nodeSettings));
                    // as in the stack: the hub makes a cgroup per student under the node's own in the host's tree
                    // (student_limits.py) and keeps students off the dashboard's port but for the hub's proxy
                    cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN).withCapDrop(Capability.MKNOD);
                    cmd.getHostConfig().withPortBindings(new PortBinding(Ports.Binding.bindPort(hubPort), ExposedPort.tcp(8888)));
                })
                .withCopyToContainer(Transferable.of(mungeKey, 0400), "/run/secrets/munge.key")
                .withCopyToContainer(Transferable.of(usersFile, 0644), "/etc/cfiddle/users")
                .withCopyToContainer(Transferable.of(passwordHashes, 0400), "/run/secrets/passwords")
                .withFileSystemBind("/sys/fs/cgroup", StackNames.USER_NODE_HOST_CGROUP, BindMode.READ_WRITE)
                .withEnv(nodeSettings.environment())
                .withEnv("CFIDDLE_HUB_PUBLIC_PORT", Integer.toString(hubPort))
                .withExposedPorts(8888)
                .waitingFor(ready());

        byte[] dashboardSecret = HexFormat.of().formatHex(randomBytes(24)).getBytes(StandardCharsets.US_ASCII);
        if (withDashboard) {
            userNode.withEnv("CFIDDLE_DASHBOARD_URL", "http://dashboard:8080")
                    .withCopyToContainer(Transferable.of(dashboardSecret, 0400), "/run/secrets/dashboard_oauth");
            dashboard = new GenericContainer<>(Images.DASHBOARD)
                    .withLabels(TestLabels.ofCluster(clusterName))
                    .withNetwork(network).withNetworkAliases("dashboard")
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                            .withPidsLimit((long) ServiceLimits.pids(StackNames.DASHBOARD, nodeSettings)))
                    .withCopyToContainer(Transferable.of(mungeKey, 0400), "/run/secrets/munge.key")
                    .withCopyToContainer(Transferable.of(dashboardSecret, 0400), "/run/secrets/dashboard_oauth")
                    .withCopyToContainer(Transferable.of(usersFile, 0644), "/etc/cfiddle/users")
                    .withEnv("JUPYTERHUB_API_URL", "http://usernode:8888/hub/api")
                    .withEnv(nodeSettings.environment())
                    .waitingFor(ready());
        }

        long started = System.nanoTime();
        Stream.of(db, dbd, controller).forEach(GenericContainer::start);
        // The controller is the one node on both networks: workers and the user node reach it, not accounting.
        DockerClientFactory.instance().client().connectToNetworkCmd().withNetworkId(network.getId())
                .withContainerId(controller.getContainerId())
                .withContainerNetwork(new ContainerNetwork().withAliases("slurmctld")).exec();
        workers.parallelStream().forEach(GenericContainer::start);
        userNode.start();
        if (withDashboard) {
            dashboard.start();
            // as in the stack: sacct, for the history, talks to slurmdbd itself
            DockerClientFactory.instance().client().connectToNetworkCmd().withNetworkId(backend.getId())
                    .withContainerId(dashboard.getContainerId()).exec();
        }
        awaitWorkersIdle();
        LOG.info("cfiddle cluster with {} workers ready in {} ms", workerCount, (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Ready means what it means in the stack: the image's healthcheck (node/healthcheck) for the node's role passes.
     * Run here every second until it does, rather than waiting for Docker's own check, which comes rarely.
     */
    private static WaitStrategy ready() {
        return Wait.forSuccessfulCommand(HEALTHCHECK).withStartupTimeout(READY_DEADLINE);
    }

    /** A node of the cluster image in a role, limited as the stack limits its service. */
    private GenericContainer<?> node(Network on, String hostname, String role, String service) {
        return new GenericContainer<>(Images.CLUSTER)
                .withLabels(TestLabels.ofCluster(clusterName))
                .withNetwork(on).withNetworkAliases(hostname)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(hostname);
                    cmd.getHostConfig().withPidsLimit((long) ServiceLimits.pids(service, nodeSettings));
                })
                .withCommand(role)
                .withEnv(nodeSettings.environment())
                .withStartupTimeout(READY_DEADLINE);
    }

    private GenericContainer<?> worker(String hostname, byte[] key) {
        return node(network, hostname, "worker", StackNames.WORKER)
                .withCopyToContainer(Transferable.of(key, 0400), "/run/secrets/munge.key")
                .withCopyToContainer(Transferable.of(usersFile, 0644), "/etc/cfiddle/users")
                .withFileSystemBind("/var/run/docker.sock", "/var/run/docker.sock")
                .withEnv("CFIDDLE_SANDBOX_IMAGE", Images.SANDBOX.asCanonicalNameString())
                .withEnv("CFIDDLE_CLUSTER_NAME", clusterName)
                .waitingFor(ready());
    }

    public String clusterName() {
        return clusterName;
    }

    /** Whether a sandbox's {@code cfiddle.cluster} label names a test cluster, not a deployed stack. */
    static boolean isTestClusterName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Kills a worker's container outright, as a crashed host would, and starts a new one under its name. */
    public void replaceWorker(String node) {
        GenericContainer<?> old = workers.stream().filter(w -> workerName(w).equals(node)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no worker " + node));
        DockerClientFactory.instance().client().killContainerCmd(old.getContainerId()).exec();
        old.stop();
        GenericContainer<?> replacement = worker(node, mungeKey);
        replacement.start();
        workers.set(workers.indexOf(old), replacement);
    }

    /** A worker that is not the cluster's: it has a munge key of its own. Returns its log once it has exited. */
    public String runWorkerWithForeignKey(String node) {
        GenericContainer<?> stranger = worker(node, randomBytes(1024))
                .withStartupCheckStrategy(new OneShot.RunsToCompletion())
                .waitingFor(new org.testcontainers.containers.wait.strategy.AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                        // it has exited already (the startup check waits for that)
                    }
                });
        try {
            stranger.start();
            return stranger.getLogs();
        } finally {
            stranger.stop();
        }
    }

    /** Restarts the controller's container (SIGTERM, then a fresh start of the same container). */
    public void restartController() {
        DockerClientFactory.instance().client().restartContainerCmd(controller.getContainerId()).exec();
    }

    /** The dashboard's URL, through the hub's proxy (where students open it). */
    public String dashboardUrl() {
        return hubUrl() + "/services/dashboard/";
    }

    /** Freezes the controller (docker pause): it accepts connections and answers nothing, as a hung slurmctld. */
    public void pauseController() {
        DockerClientFactory.instance().client().pauseContainerCmd(controller.getContainerId()).exec();
    }

    public void unpauseController() {
        DockerClientFactory.instance().client().unpauseContainerCmd(controller.getContainerId()).exec();
    }

    /** Everything the dashboard has logged. */
    public String dashboardLog() {
        return dashboard.getLogs();
    }

    /** Restarts the accounting database and slurmdbd. */
    public void restartAccounting() {
        DockerClientFactory.instance().client().restartContainerCmd(db.getContainerId()).exec();
        DockerClientFactory.instance().client().restartContainerCmd(dbd.getContainerId()).exec();
    }

    /** Waits until every worker is registered with Slurm and idle. */
    public void awaitWorkersIdle() {
        List<String> names = workerNames();
        await("workers " + names + " idle in sinfo").atMost(READY_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> query(() -> slurm().nodesByName()), nodes -> names.stream()
                        .allMatch(n -> nodes.containsKey(n) && nodes.get(n).idle()));
    }

    public List<String> workerNames() {
        return workers.stream().map(CfiddleCluster::workerName).toList();
    }

    private static String workerName(GenericContainer<?> worker) {
        return worker.getContainerInfo().getConfig().getHostName();
    }

    /** A worker container's whole log. */
    public String workerLog(String node) {
        return workers.stream().filter(w -> workerName(w).equals(node)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no worker " + node)).getLogs();
    }

    /** Whether a worker passes its image's healthcheck (what the stack's health checks run) now. */
    public boolean workerHealthy(String node) {
        return workerExec(node, HEALTHCHECK).getExitCode() == 0;
    }

    public ExecResult workerExec(String node, String... command) {
        GenericContainer<?> worker = workers.stream().filter(w -> workerName(w).equals(node)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no worker " + node));
        return exec(worker, "root", "/", command);
    }

    /** Slurm's view of a node, or null when the controller does not know it. */
    public SlurmNode slurmNode(String node) {
        return query(() -> slurm().nodesByName().get(node));
    }

    /** Slurm, asked in the controller's container. */
    public SlurmQuery slurm() {
        return new SlurmQuery(command -> {
            ExecResult r = exec(controller, "root", "/", command.toArray(String[]::new));
            return new CommandRunner.Result(r.getExitCode(), r.getStdout(), r.getStderr());
        });
    }

    /** A question to Slurm that must be answerable. */
    public static <T> T query(SlurmAnswer<T> question) {
        try {
            return question.ask();
        } catch (SlurmQueryException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @FunctionalInterface
    public interface SlurmAnswer<T> {
        T ask() throws SlurmQueryException;
    }

    public ExecResult controllerExec(String... command) {
        return exec(controller, "root", "/", command);
    }

    public ExecResult userNodeExec(String user, String... command) {
        return exec(userNode, user, "root".equals(user) ? "/root" : "/home/" + user, command);
    }

    /**
     * Runs a Python script from the test resources as {@code user} in their home on the user node, with the
     * shared test helpers next to it, and returns its stdout. A non-zero exit fails with everything it printed
     * and the tail of the cluster's logs.
     */
    public String python(String user, String script, String... args) {
        ExecResult result = pythonOutcome(user, script, args);
        if (result.getExitCode() != 0) {
            throw new AssertionError("python " + script + " as " + user + " exited " + result.getExitCode()
                    + "\n--- stdout\n" + result.getStdout() + "\n--- stderr\n" + result.getStderr() + "\n" + logsTail());
        }
        return result.getStdout();
    }

    /** Like {@link #python}, whatever the script's exit code. */
    public ExecResult pythonOutcome(String user, String script, String... args) {
        copyScripts(script, "experiments/cfiddle_test_support.py");
        String[] command = Stream.concat(Stream.of("python3", SCRIPTS_DIR + "/" + script), Arrays.stream(args))
                .toArray(String[]::new);
        return userNodeExec(user, command);
    }

    private void copyScripts(String... resources) {
        for (String resource : resources) {
            userNode.copyFileToContainer(org.testcontainers.utility.MountableFile.forClasspathResource(resource, 0644),
                    SCRIPTS_DIR + "/" + resource);
        }
    }

    /** Every job Slurm accounted for (all users), oldest first. Accounting lags the controller a little. */
    public List<SlurmJob> jobs() {
        return query(() -> slurm().accounting("now-1days"));
    }

    /** The highest job id so far, as the controller knows it (it keeps finished jobs for MinJobAge). */
    public long lastJobId() {
        long inController = query(() -> slurm().controllerJobs()).stream().mapToLong(SlurmJob::id).max().orElse(0);
        long inAccounting = jobs().stream().mapToLong(SlurmJob::id).max().orElse(0);
        return Math.max(inController, inAccounting);
    }

    /** Waits until accounting lists {@code count} finished jobs after {@code lastJobId}, and returns them. */
    public List<SlurmJob> awaitFinishedJobsAfter(long lastJobId, int count) {
        return await(count + " finished jobs after job " + lastJobId + " in sacct").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> jobs().stream().filter(j -> j.id() > lastJobId).toList(),
                        jobs -> jobs.size() >= count && jobs.stream().allMatch(SlurmJob::finished));
    }

    /** The hub as browsers reach it: on localhost (the hub host of the tests), students' servers on NAME.localhost. */
    public String hubUrl() {
        return "http://" + nodeSettings.hubHost() + ":" + userNode.getMappedPort(8888);
    }

    private static int freeHostPort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on this host for the hub", e);
        }
    }

    /** The account's plain-text password (only this test knows it; the cluster has its hash). */
    public String password(String user) {
        return passwords.get(user);
    }

    /** Logs the account in through the hub's login form. */
    public HubSession logIn(String user) {
        return HubSession.logIn(hubUrl(), user, password(user));
    }

    /** Processes on the user node as "user seconds-running rss-KiB command" lines (ps, run as root). */
    public String userNodeProcesses() {
        return userNodeExec("root", "ps", "-eo", "user:32=,etimes=,rss=,args=").getStdout();
    }

    /** Everything the user node has logged (the hub, the proxy and the students' servers). */
    public String userNodeLog() {
        return userNode.getLogs();
    }

    /** The user node's environment, as docker inspect shows it. */
    public List<String> userNodeEnvironment() {
        return List.of(userNode.getContainerInfo().getConfig().getEnv());
    }

    /** Head and workers all still running. */
    public boolean allRunning() {
        return Stream.concat(Stream.of(db, dbd, controller, userNode), workers.stream()).allMatch(GenericContainer::isRunning);
    }

    /** The last lines of every node's log, for failure messages. */
    public String logsTail() {
        StringBuilder out = new StringBuilder();
        for (GenericContainer<?> c : Stream.concat(Stream.of(controller, userNode, dashboard), workers.stream()).toList()) {
            if (c == null || c.getContainerId() == null) {
                continue;
            }
            List<String> lines = c.getLogs().lines().toList();
            out.append("--- log of ").append(c.getContainerInfo().getConfig().getHostName()).append('\n');
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    @Override
    public void stop() {
        Stream.concat(Stream.of(dashboard, userNode), Stream.concat(workers.stream(), Stream.of(controller, dbd, db)))
                .filter(c -> c != null)
                .toList().parallelStream()
                .forEach(GenericContainer::stop);
        Stream.of(network, backend).filter(n -> n != null).forEach(Network::close);
        // The warm sandboxes its workers left (killed workers cannot remove them themselves).
        DockerClient docker = DockerClientFactory.instance().client();
        docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Sandboxes.CLUSTER_LABEL, clusterName))
                .exec().forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
    }

    private static ExecResult exec(GenericContainer<?> container, String user, String workDir, String... command) {
        try {
            return container.execInContainer(ExecConfig.builder().user(user).workDir(workDir).command(command).build());
        } catch (IOException e) {
            throw new IllegalStateException("exec " + Arrays.toString(command) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
