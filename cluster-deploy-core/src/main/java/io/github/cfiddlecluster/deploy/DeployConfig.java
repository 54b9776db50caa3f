package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.ClusterSettings;
import io.github.cfiddlecluster.stack.StackSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Everything a deploy, undeploy or status needs to know, without Maven: the cluster's {@link ClusterSettings}
 * (what reaches the nodes, with its defaults and rules) and how this deploy is done (stack name, images,
 * registry, files, engine). Build with {@link #builder()}; every setting has a default that deploys the images
 * this build made as stack "cfiddle".
 */
public final class DeployConfig {
    public static final String DEFAULT_STACK = "cfiddle";

    private static final Pattern STACK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,29}");
    private static final Pattern IMAGE_PREFIX = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[a-z0-9._-]+)*");

    private final String stackName;
    private final String imagePrefix;
    private final String imageTag;
    private final String registry;
    private final RegistryLogin registryLogin;
    private final boolean clusterRegistry;
    private final int clusterRegistryPort;
    private final boolean initSwarm;
    private final Duration timeout;
    private final Path usersFile;
    private final Path passwordsFile;
    private final Path outputDirectory;
    private final boolean purge;
    private final String dockerHost;
    private final ClusterSettings cluster;

    private DeployConfig(Builder b) {
        stackName = b.stackName;
        imagePrefix = b.imagePrefix;
        imageTag = b.imageTag;
        registry = blankToNull(b.registry);
        registryLogin = b.registryLogin;
        clusterRegistry = b.clusterRegistry;
        clusterRegistryPort = b.clusterRegistryPort;
        initSwarm = b.initSwarm;
        timeout = b.timeout;
        usersFile = b.usersFile;
        passwordsFile = b.passwordsFile;
        outputDirectory = b.outputDirectory;
        purge = b.purge;
        dockerHost = blankToNull(b.dockerHost);
        cluster = b.cluster;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String stackName() { return stackName; }
    public String imagePrefix() { return imagePrefix; }
    public String imageTag() { return imageTag; }
    /** The registry images are pushed to for a multi-host swarm, or null (images are local to each host). */
    public String registry() { return registry; }
    /** Credentials for {@link #registry()} from the Maven settings, or null (the docker CLI's own login). */
    public RegistryLogin registryLogin() { return registryLogin; }
    /** Whether the cluster brings its own registry (on the head node) to give every host its images. */
    public boolean clusterRegistry() { return clusterRegistry; }
    /** Where every host pulls from the cluster's registry (the head's addresses); pushes go to the next port. */
    public int clusterRegistryPort() { return clusterRegistryPort; }
    public boolean initSwarm() { return initSwarm; }
    public Duration timeout() { return timeout; }
    public Path usersFile() { return usersFile; }
    /** The students' password hashes (name:crypt-hash lines), or null: nobody can log in to the hub. */
    public Path passwordsFile() { return passwordsFile; }
    public Path outputDirectory() { return outputDirectory; }
    public boolean purge() { return purge; }
    /** DOCKER_HOST for docker-java and the docker CLI, or null for their defaults (environment, then the socket). */
    public String dockerHost() { return dockerHost; }
    /** The cluster's settings: what reaches the nodes. */
    public ClusterSettings cluster() { return cluster; }
    public int workers() { return cluster.workers(); }
    public int jupyterPort() { return cluster.jupyterPort(); }
    public List<String> admins() { return cluster.admins(); }

    /** The image of a role as built locally: {@code <prefix>/<role>:<tag>}. */
    public String localImage(String role) {
        return imagePrefix + "/" + role + ":" + imageTag;
    }

    /** The image of a role as the stack names it: in the registry when there is one, else the local one. */
    public String stackImage(String role) {
        return registry == null ? localImage(role) : registry + "/" + localImage(role);
    }

    /** What this deployment puts into the stack template, given what the deploy found and created. */
    public StackSettings stackSettings(String clusterImageId, String userImageId, String usersConfigName,
            String passwordsSecretName) {
        return stackSettings(clusterImageId, userImageId, "", usersConfigName, passwordsSecretName);
    }

    /** The same, with the dashboard image's id (so that a rebuilt dashboard under the same tag rolls out). */
    public StackSettings stackSettings(String clusterImageId, String userImageId, String dashboardImageId,
            String usersConfigName, String passwordsSecretName) {
        return stackSettings(Map.of(), clusterImageId, userImageId, dashboardImageId, usersConfigName,
                passwordsSecretName);
    }

    /**
     * The same, with the images as pushed where they are not {@link #stackImage(String)} (role to image, e.g.
     * HEAD:PORT/PREFIX/ROLE@DIGEST in the cluster's registry).
     */
    public StackSettings stackSettings(Map<String, String> pushedImages, String clusterImageId, String userImageId,
            String dashboardImageId, String usersConfigName, String passwordsSecretName) {
        UnaryOperator<String> image = role -> pushedImages.getOrDefault(role, stackImage(role));
        return StackSettings.builder(stackName)
                .clusterImage(image.apply("cluster"), clusterImageId)
                .userImage(image.apply("user"), userImageId)
                .sandboxImage(image.apply("sandbox"))
                .dashboardImage(image.apply("dashboard"), dashboardImageId)
                .usersConfigName(usersConfigName)
                .passwordsSecretName(passwordsSecretName)
                .cluster(cluster)
                .build();
    }

    /** @throws DeployException.InvalidConfiguration listing every problem found */
    public void validate() throws DeployException.InvalidConfiguration {
        List<String> problems = new ArrayList<>();
        if (stackName == null || !STACK_NAME.matcher(stackName).matches()) {
            problems.add("cfiddle.stackName '" + stackName + "' must be 1-30 lower-case letters, digits, '-' or '_'");
        }
        if (imagePrefix == null || !IMAGE_PREFIX.matcher(imagePrefix).matches()) {
            problems.add("cfiddle.image.prefix '" + imagePrefix + "' is not a valid image repository path (lower case, e.g. cfiddle-cluster)");
        }
        if (imageTag == null || !IMAGE_TAG.matcher(imageTag).matches()) {
            problems.add("cfiddle.image.tag '" + imageTag + "' is not a valid Docker tag");
        }
        if (registry != null && !REGISTRY.matcher(registry).matches()) {
            problems.add("cfiddle.registry '" + registry + "' is not host[:port][/path]");
        }
        if (clusterRegistry && registry != null) {
            problems.add("cfiddle.clusterRegistry and cfiddle.registry '" + registry + "' both name where the images go:"
                    + " set one (the cluster's own registry, or yours)");
        }
        if (clusterRegistryPort < 1 || clusterRegistryPort > 65534) {
            problems.add("cfiddle.clusterRegistryPort " + clusterRegistryPort + " is not between 1 and 65534 (pushes use"
                    + " the next port)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            problems.add("cfiddle.timeout must be a positive number of seconds");
        }
        problems.addAll(cluster.problems());
        if (outputDirectory == null) {
            problems.add("no output directory for the rendered stack file");
        }
        List<String> accountProblems = usersFile == null ? List.of() : UsersFile.problems(usersFile);
        problems.addAll(accountProblems);
        if (accountProblems.isEmpty()) {
            Map<String, String> accounts = UsersFile.accounts(usersFile);
            if (passwordsFile != null) {
                problems.addAll(PasswordsFile.problems(passwordsFile, accounts));
            }
            for (String admin : cluster.admins()) {
                if (!accounts.containsKey(admin)) {
                    problems.add("cfiddle.admins names " + admin + ", which is not one of the cluster's accounts ("
                            + String.join(", ", accounts.keySet()) + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new DeployException.InvalidConfiguration(problems);
        }
    }

    /** The passwords file's content, or null when none is given. */
    public byte[] passwordsFileContent() throws IOException {
        return passwordsFile == null ? null : Files.readAllBytes(passwordsFile);
    }

    /** The users file's content as the nodes will read it, or null when the images' own list is used. */
    public byte[] usersFileContent() throws IOException {
        return usersFile == null ? null : Files.readAllBytes(usersFile);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public Builder toBuilder() {
        return new Builder().stackName(stackName).imagePrefix(imagePrefix).imageTag(imageTag).registry(registry)
                .registryLogin(registryLogin).clusterRegistry(clusterRegistry).clusterRegistryPort(clusterRegistryPort)
                .initSwarm(initSwarm).timeout(timeout).usersFile(usersFile).passwordsFile(passwordsFile)
                .outputDirectory(outputDirectory).purge(purge).dockerHost(dockerHost).cluster(cluster);
    }

    /** Fluent; a null string or number keeps the default, so a front end passes what the user gave as it is. */
    public static final class Builder {
        private String stackName = DEFAULT_STACK;
        private String imagePrefix = ClusterSettings.buildDefault("IMAGE_PREFIX");
        private String imageTag = ClusterSettings.buildDefault("IMAGE_TAG");
        private String registry;
        private RegistryLogin registryLogin;
        private boolean clusterRegistry;
        private int clusterRegistryPort = Integer.parseInt(ClusterSettings.buildDefault("CLUSTER_REGISTRY_PORT"));
        private boolean initSwarm;
        private Duration timeout = Duration.ofSeconds(Long.parseLong(ClusterSettings.buildDefault("DEPLOY_TIMEOUT")));
        private Path usersFile;
        private Path passwordsFile;
        private Path outputDirectory = Path.of("target", "cfiddle");
        private boolean purge;
        private String dockerHost;
        private ClusterSettings cluster = ClusterSettings.defaults();

        public Builder stackName(String v) { if (v != null) stackName = v; return this; }
        public Builder imagePrefix(String v) { if (v != null) imagePrefix = v; return this; }
        public Builder imageTag(String v) { if (v != null) imageTag = v; return this; }
        public Builder registry(String v) { registry = v; return this; }
        public Builder registryLogin(RegistryLogin v) { registryLogin = v; return this; }
        public Builder clusterRegistry(boolean v) { clusterRegistry = v; return this; }
        public Builder clusterRegistryPort(Integer v) { if (v != null) clusterRegistryPort = v; return this; }
        public Builder initSwarm(boolean v) { initSwarm = v; return this; }
        public Builder timeout(Duration v) { if (v != null) timeout = v; return this; }
        public Builder usersFile(Path v) { usersFile = v; return this; }
        public Builder passwordsFile(Path v) { passwordsFile = v; return this; }
        public Builder outputDirectory(Path v) { if (v != null) outputDirectory = v; return this; }
        public Builder purge(boolean v) { purge = v; return this; }
        public Builder dockerHost(String v) { dockerHost = v; return this; }
        public Builder cluster(ClusterSettings v) { cluster = v; return this; }
        /** Changes some of the cluster's settings: {@code .cluster(c -> c.workers(2).timeLimit("3"))}. */
        public Builder cluster(UnaryOperator<ClusterSettings.Builder> change) {
            cluster = change.apply(cluster.toBuilder()).build();
            return this;
        }

        public DeployConfig build() {
            return new DeployConfig(this);
        }
    }
}
