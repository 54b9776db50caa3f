package io.github.cfiddlecluster.maven;

import io.github.cfiddlecluster.deploy.RegistryLogin;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import io.github.cfiddlecluster.deploy.ClusterDeployer;
import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import java.io.File;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Deploys the cfiddle cluster as a Docker Swarm stack and waits until every service runs and every worker is idle
 * in Slurm. Checks first (engine, swarm manager, images, a worker node, the notebook port, name clashes) and creates
 * nothing when a check fails. Secrets (munge key, database password) are generated on the first deploy and kept;
 * the students' password hashes come from {@code cfiddle.passwordsFile}. Running it again with nothing changed
 * changes nothing; with rebuilt images it rolls them out. Ends with the JupyterHub URL and how to log in.
 */
@Mojo(name = "deploy", aggregator = true, threadSafe = true)
public class DeployMojo extends AbstractClusterMojo {
    /*
     * Defaults: a setting not given is null here and gets its default from the deploy core, whose defaults come
     * from this build's root pom (the README's configuration reference lists them).
     */

    /**
     * Repository prefix of the images, as they were built: PREFIX/cluster:TAG, PREFIX/user:TAG, PREFIX/sandbox:TAG.
     * Default: this build's (cfiddle-cluster).
     */
    @Parameter(property = "cfiddle.image.prefix")
    private String imagePrefix;

    /** Tag of the images, as they were built. Default: this plugin's own version, the images built with it. */
    @Parameter(property = "cfiddle.image.tag")
    private String imageTag;

    /**
     * Registry for a multi-host swarm, e.g. {@code registry.example.org:5000}: the images are tagged
     * REGISTRY/PREFIX/ROLE:TAG, pushed there (with the docker CLI's credentials) and the stack
     * pulls them on every node. Empty: the images are used from the local engine (single host, or images loaded on
     * each host by hand).
     */
    @Parameter(property = "cfiddle.registry")
    private String registry;

    /** The user's Maven settings: a {@code <server>} whose id is the registry's host gives the push its credentials. */
    @Parameter(defaultValue = "${settings}", readonly = true)
    private Settings settings;

    @Component
    private SettingsDecrypter settingsDecrypter;

    /**
     * Multi-host without a registry of your own: the cluster runs one on the head node (the engine this deploy talks
     * to), pushes the images there and every host pulls them from {@code HEAD-ADDRESS:PORT} over plain HTTP (list it
     * in each host's Docker {@code insecure-registries}). Pushes are accepted on the head's loopback only.
     */
    @Parameter(property = "cfiddle.clusterRegistry", defaultValue = "false")
    private boolean clusterRegistry;

    /** The port every host pulls from the cluster's registry on the head node; pushes use the next port (loopback). Default: the root pom's cfiddle.default.clusterRegistryPort. */
    @Parameter(property = "cfiddle.clusterRegistryPort")
    private Integer clusterRegistryPort;

    /**
     * Number of workers. 0: one worker on each swarm node labelled {@code cfiddle.worker=true} (on a single-node swarm
     * the node is labelled for you). N: N workers as replicas; on a single host they share its CPUs, so experiments
     * running at the same time disturb each other's timings.
     */
    @Parameter(property = "cfiddle.workers")
    private Integer workers;

    /** Runs {@code docker swarm init} when the engine is in no swarm (a single-host cluster). */
    @Parameter(property = "cfiddle.initSwarm", defaultValue = "false")
    private boolean initSwarm;

    /** Host port of JupyterHub, published on the head node. */
    @Parameter(property = "cfiddle.port")
    private Integer port;

    /**
     * The cluster's accounts: a file of {@code name:uid:gid} lines (uid and gid at least 1000). Mounted on the
     * controller, the workers and the user node. Empty: the images' own list (student:1000:1000).
     */
    @Parameter(property = "cfiddle.usersFile")
    private File usersFile;

    /**
     * The students' hub passwords: a file of {@code name:crypt-hash} lines, one for every account (make a hash with
     * {@code openssl passwd -6}; plain text is refused). Stored as a swarm secret, applied on the user node at start.
     * Empty: the passwords of the previous deploy are kept (none on a first deploy: nobody can log in).
     */
    @Parameter(property = "cfiddle.passwordsFile")
    private File passwordsFile;

    /** The hub's admin accounts, comma-separated: they get the Admin page (list users, start and stop servers). */
    @Parameter(property = "cfiddle.admins")
    private String admins;

    /** Seconds after which an idle notebook server (no kernel, terminal or request) stops itself. */
    @Parameter(property = "cfiddle.idleTimeout")
    private Integer idleTimeout;

    /** Slurm partition DefaultTime, in minutes (or a Slurm time such as 1:30:00). */
    @Parameter(property = "cfiddle.defaultTime")
    private String defaultTime;

    /** Slurm partition MaxTime, in minutes (or a Slurm time, or UNLIMITED). */
    @Parameter(property = "cfiddle.maxTime")
    private String maxTime;

    /** Time limit of each experiment's job (its srun --time), in minutes. Empty: the default time. */
    @Parameter(property = "cfiddle.timeLimit")
    private String timeLimit;

    /** Memory limit of each experiment's sandbox container (docker --memory). */
    @Parameter(property = "cfiddle.sandboxMemory")
    private String sandboxMemory;

    /** Process limit of each experiment's sandbox container (docker --pids-limit). */
    @Parameter(property = "cfiddle.sandboxPids")
    private Integer sandboxPids;

    /**
     * How much each experiment may write to each of its output streams (its results, and what it prints); past it
     * the experiment is stopped with an error naming the limit. A Docker-style size.
     */
    @Parameter(property = "cfiddle.sandboxOutputLimit")
    private String sandboxOutputLimit;

    /** Experiments one user may have running at once (Slurm QOS MaxJobsPerUser); more wait their turn. */
    @Parameter(property = "cfiddle.userRunningLimit")
    private Integer userRunningLimit;

    /**
     * Experiments one user may have running or waiting at once (Slurm QOS MaxSubmitJobsPerUser); more are refused
     * with an error that says so.
     */
    @Parameter(property = "cfiddle.userSubmitLimit")
    private Integer userSubmitLimit;

    /**
     * Processes (threads included) one student may have at once on the user node: their notebook server, kernels,
     * compilers. A fork bomb stops there instead of taking the node from everyone.
     */
    @Parameter(property = "cfiddle.studentProcessLimit")
    private Integer studentProcessLimit;

    /**
     * Processes (threads included) of the whole user node: the hub and every student's together (its container's
     * pids limit), so that all students at once cannot exhaust the host's process table. Allow about 50 per student
     * working at the same time.
     */
    @Parameter(property = "cfiddle.userNodeProcessLimit")
    private Integer userNodeProcessLimit;

    /**
     * Memory one student's processes on the user node may use together (their cgroup, no swap beyond it), e.g. 1g;
     * past it the kernel stops the largest of them and the student's notebook says so.
     */
    @Parameter(property = "cfiddle.studentMemory")
    private String studentMemory;

    /** CPUs one student's processes on the user node may use together (their cgroup's quota), e.g. 1 or 0.5. */
    @Parameter(property = "cfiddle.studentCpus")
    private String studentCpus;

    /** Disk one student's home may hold, e.g. 1g (enforced by the hub: see the README, 'Limits'). */
    @Parameter(property = "cfiddle.studentDiskQuota")
    private String studentDiskQuota;

    /**
     * The hub's public host name: students log in at http://HOST:PORT/ and each gets their server at
     * http://NAME.HOST:PORT/user/NAME/, an origin of their own. Browsers must resolve HOST and every *.HOST to the
     * user node (wildcard DNS); the default, localhost, works in a browser on that machine.
     */
    @Parameter(property = "cfiddle.hubHost")
    private String hubHost;

    /** Where the rendered stack file is written (as STACKNAME-stack.yml). */
    @Parameter(property = "cfiddle.outputDirectory", defaultValue = "${project.build.directory}/cfiddle")
    private File outputDirectory;

    @Override
    protected DeployConfig.Builder config() {
        return DeployConfig.builder().imagePrefix(imagePrefix).imageTag(imageTag).registry(registry).registryLogin(registryLogin())
                .clusterRegistry(clusterRegistry).clusterRegistryPort(clusterRegistryPort).initSwarm(initSwarm)
                .usersFile(usersFile == null ? null : usersFile.toPath())
                .passwordsFile(passwordsFile == null ? null : passwordsFile.toPath())
                .outputDirectory(outputDirectory.toPath())
                .cluster(c -> c.workers(workers).jupyterPort(port).admins(admins).idleTimeoutSeconds(idleTimeout)
                        .defaultTime(defaultTime).maxTime(maxTime).timeLimit(timeLimit).sandboxMemory(sandboxMemory)
                        .sandboxPids(sandboxPids).sandboxOutputLimit(sandboxOutputLimit).userRunningLimit(userRunningLimit)
                        .userSubmitLimit(userSubmitLimit).studentProcessLimit(studentProcessLimit)
                        .userNodeProcessLimit(userNodeProcessLimit)
                        .studentMemory(studentMemory).studentCpus(studentCpus).studentDiskQuota(studentDiskQuota)
                        .hubHost(hubHost));
    }

    /** Credentials for the registry from the Maven settings' server of that id (its host[:port]), if there is one. */
    private RegistryLogin registryLogin() {
        if (registry == null || registry.isBlank() || settings == null) {
            return null;
        }
        String host = RegistryLogin.hostOf(registry.trim());
        Server server = settings.getServer(host);
        if (server == null || server.getUsername() == null) {
            getLog().debug("no <server> with id " + host + " in the Maven settings: docker push uses docker login's credentials");
            return null;
        }
        SettingsDecryptionResult decrypted = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        decrypted.getProblems().forEach(p -> getLog().warn("Maven settings, server " + host + ": " + p.getMessage()));
        Server plain = decrypted.getServer();
        getLog().info("pushing to " + host + " as " + plain.getUsername() + " (Maven settings, server " + host + ")");
        return new RegistryLogin(host, plain.getUsername(), plain.getPassword() == null ? "" : plain.getPassword());
    }

    @Override
    protected void run(ClusterDeployer deployer, DeployConfig config) throws DeployException {
        deployer.deploy(config);
    }
}
