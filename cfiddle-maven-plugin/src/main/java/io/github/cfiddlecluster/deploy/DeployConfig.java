package io.github.cfiddlecluster.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.regex.Pattern;

/**
 * Everything a deploy, undeploy or status needs to know, without Maven. Build with {@link #builder()}; every
 * setting has a default that deploys the locally built images as stack "cfiddle".
 */
public final class DeployConfig {
    public static final String DEFAULT_STACK = "cfiddle";
    public static final String DEFAULT_IMAGE_PREFIX = "cfiddle-cluster";
    /** The accounts of the images' own users file, used when no cfiddle.usersFile is given. */
    public static final List<String> IMAGE_ACCOUNTS = List.of("student");
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 3600;
    private static final int MIN_IDLE_TIMEOUT_SECONDS = 10;

    private static final Pattern STACK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,29}");
    private static final Pattern IMAGE_PREFIX = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[a-z0-9._-]+)*");
    /** Slurm time: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]]. */
    private static final Pattern SLURM_TIME = Pattern.compile("\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d+(?::\\d{1,2}){0,2}");
    private static final Pattern MEMORY = Pattern.compile("\\d+[bkmgBKMG]?");
    private static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    private final String stackName;
    private final String imagePrefix;
    private final String imageTag;
    private final String registry;
    private final RegistryLogin registryLogin;
    private final boolean clusterRegistry;
    private final int clusterRegistryPort;
    private final int workers;
    private final boolean initSwarm;
    private final Duration timeout;
    private final int jupyterPort;
    private final Path usersFile;
    private final Path passwordsFile;
    private final List<String> admins;
    private final int idleTimeoutSeconds;
    private final String defaultTime;
    private final String maxTime;
    private final String timeLimit;
    private final String sandboxMemory;
    private final int sandboxPids;
    private final String sandboxOutputLimit;
    private final int userRunningLimit;
    private final int userSubmitLimit;
    private final int studentProcessLimit;
    private final Path outputDirectory;
    private final boolean purge;
    private final String dockerHost;

    private DeployConfig(Builder b) {
        stackName = b.stackName;
        imagePrefix = b.imagePrefix;
        imageTag = b.imageTag;
        registry = blankToNull(b.registry);
        registryLogin = b.registryLogin;
        clusterRegistry = b.clusterRegistry;
        clusterRegistryPort = b.clusterRegistryPort;
        workers = b.workers;
        initSwarm = b.initSwarm;
        timeout = b.timeout;
        jupyterPort = b.jupyterPort;
        usersFile = b.usersFile;
        passwordsFile = b.passwordsFile;
        admins = b.admins == null ? List.of() : Arrays.stream(b.admins.split(",")).map(String::trim)
                .filter(a -> !a.isEmpty()).collect(Collectors.toUnmodifiableList());
        idleTimeoutSeconds = b.idleTimeoutSeconds;
        defaultTime = b.defaultTime;
        maxTime = b.maxTime;
        timeLimit = blankToNull(b.timeLimit) == null ? b.defaultTime : b.timeLimit;
        sandboxMemory = b.sandboxMemory;
        sandboxPids = b.sandboxPids;
        sandboxOutputLimit = b.sandboxOutputLimit;
        userRunningLimit = b.userRunningLimit;
        userSubmitLimit = b.userSubmitLimit;
        studentProcessLimit = b.studentProcessLimit;
        outputDirectory = b.outputDirectory;
        purge = b.purge;
        dockerHost = blankToNull(b.dockerHost);
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
    public int workers() { return workers; }
    public boolean initSwarm() { return initSwarm; }
    public Duration timeout() { return timeout; }
    public int jupyterPort() { return jupyterPort; }
    public Path usersFile() { return usersFile; }
    /** The students' password hashes (name:crypt-hash lines), or null: nobody can log in to the hub. */
    public Path passwordsFile() { return passwordsFile; }
    /** The hub's admin accounts. */
    public List<String> admins() { return admins; }
    public int idleTimeoutSeconds() { return idleTimeoutSeconds; }
    public String defaultTime() { return defaultTime; }
    public String maxTime() { return maxTime; }
    public String timeLimit() { return timeLimit; }
    public String sandboxMemory() { return sandboxMemory; }
    public int sandboxPids() { return sandboxPids; }
    /** How much each experiment may write to each of its output streams (results, printed text). */
    public String sandboxOutputLimit() { return sandboxOutputLimit; }
    /** Experiments one user may have running at once. */
    public int userRunningLimit() { return userRunningLimit; }
    /** Experiments one user may have running or waiting at once; more are refused when submitted. */
    public int userSubmitLimit() { return userSubmitLimit; }
    /** Processes (and threads) one student may have at once on the user node. */
    public int studentProcessLimit() { return studentProcessLimit; }
    public Path outputDirectory() { return outputDirectory; }
    public boolean purge() { return purge; }
    /** DOCKER_HOST for docker-java and the docker CLI, or null for their defaults (environment, then the socket). */
    public String dockerHost() { return dockerHost; }

    /** The image of a role as built locally: {@code <prefix>/<role>:<tag>}. */
    public String localImage(String role) {
        return imagePrefix + "/" + role + ":" + imageTag;
    }

    /** The image of a role as the stack names it: in the registry when there is one, else the local one. */
    public String stackImage(String role) {
        return registry == null ? localImage(role) : registry + "/" + localImage(role);
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
        if (workers < 0) {
            problems.add("cfiddle.workers must be 0 (one worker per node labelled cfiddle.worker=true) or a count, not " + workers);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            problems.add("cfiddle.timeout must be a positive number of seconds");
        }
        if (jupyterPort < 1 || jupyterPort > 65535) {
            problems.add("cfiddle.port (Jupyter) " + jupyterPort + " is not between 1 and 65535");
        }
        checkTime("cfiddle.defaultTime", defaultTime, false, problems);
        checkTime("cfiddle.maxTime", maxTime, true, problems);
        checkTime("cfiddle.timeLimit", timeLimit, false, problems);
        if (isMinutes(timeLimit) && isMinutes(maxTime) && Long.parseLong(timeLimit) > Long.parseLong(maxTime)) {
            problems.add("cfiddle.timeLimit " + timeLimit + " min exceeds cfiddle.maxTime " + maxTime + " min: every job would be rejected");
        }
        if (isMinutes(defaultTime) && isMinutes(maxTime) && Long.parseLong(defaultTime) > Long.parseLong(maxTime)) {
            problems.add("cfiddle.defaultTime " + defaultTime + " min exceeds cfiddle.maxTime " + maxTime + " min");
        }
        if (sandboxMemory == null || !MEMORY.matcher(sandboxMemory).matches()) {
            problems.add("cfiddle.sandboxMemory '" + sandboxMemory + "' is not a Docker memory size (e.g. 512m, 1g)");
        }
        if (sandboxPids < 1) {
            problems.add("cfiddle.sandboxPids must be at least 1, not " + sandboxPids);
        }
        if (sandboxOutputLimit == null || !MEMORY.matcher(sandboxOutputLimit).matches()) {
            problems.add("cfiddle.sandboxOutputLimit '" + sandboxOutputLimit + "' is not a size (e.g. 16m)");
        }
        if (userRunningLimit < 1) {
            problems.add("cfiddle.userRunningLimit must be at least 1, not " + userRunningLimit);
        }
        if (userSubmitLimit < userRunningLimit) {
            problems.add("cfiddle.userSubmitLimit " + userSubmitLimit + " is below cfiddle.userRunningLimit "
                    + userRunningLimit + " (it counts running and waiting experiments)");
        }
        if (studentProcessLimit < 64) {
            problems.add("cfiddle.studentProcessLimit " + studentProcessLimit
                    + " is below 64: a notebook server and its kernel alone need about 40");
        }
        if (outputDirectory == null) {
            problems.add("no output directory for the rendered stack file");
        }
        List<String> accountProblems = usersFile == null ? List.of() : usersFileProblems(usersFile);
        problems.addAll(accountProblems);
        if (accountProblems.isEmpty()) {
            Map<String, String> accounts = accounts();
            if (passwordsFile != null) {
                problems.addAll(PasswordsFile.problems(passwordsFile, accounts));
            }
            for (String admin : admins) {
                if (!accounts.containsKey(admin)) {
                    problems.add("cfiddle.admins names " + admin + ", which is not one of the cluster's accounts ("
                            + String.join(", ", accounts.keySet()) + ")");
                }
            }
        }
        if (idleTimeoutSeconds < MIN_IDLE_TIMEOUT_SECONDS) {
            problems.add("cfiddle.idleTimeout must be at least " + MIN_IDLE_TIMEOUT_SECONDS + " seconds, not " + idleTimeoutSeconds);
        }
        if (!problems.isEmpty()) {
            throw new DeployException.InvalidConfiguration(problems);
        }
    }

    /**
     * The cluster's account names, each with where it is defined ("users file F line N"), from the users file or
     * the images' own list. Call after the users file passed {@link #usersFileProblems}.
     */
    Map<String, String> accounts() {
        Map<String, String> accounts = new LinkedHashMap<>();
        if (usersFile == null) {
            IMAGE_ACCOUNTS.forEach(name -> accounts.put(name, "the images' users file"));
            return accounts;
        }
        try {
            List<String> lines = Files.readAllLines(usersFile, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).replaceAll("#.*", "").replaceAll("\\s", "");
                if (!line.isEmpty()) {
                    accounts.put(line.split(":", -1)[0], "users file " + usersFile + " line " + (i + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("users file " + usersFile + " was readable a moment ago", e);
        }
        return accounts;
    }

    /** The passwords file's content, or null when none is given. */
    public byte[] passwordsFileContent() throws IOException {
        return passwordsFile == null ? null : Files.readAllBytes(passwordsFile);
    }

    /** The users file's content as the nodes will read it, or null when the images' own list is used. */
    public byte[] usersFileContent() throws IOException {
        return usersFile == null ? null : Files.readAllBytes(usersFile);
    }

    /** The same rules as the nodes' sync_users (node-lib.sh), checked before anything is deployed. */
    static List<String> usersFileProblems(Path file) {
        List<String> problems = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("users file " + file + " cannot be read: " + e.getMessage());
        }
        Set<String> names = new HashSet<>();
        Set<Long> uids = new HashSet<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.replaceAll("#.*", "").replaceAll("\\s", "");
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(":", -1);
            String where = "users file " + file + " line " + number + ": '" + line + "'";
            if (fields.length != 3 || !USER_NAME.matcher(fields[0]).matches() || !fields[1].matches("\\d{1,9}")
                    || !fields[2].matches("\\d{1,9}")) {
                problems.add(where + " is not name:uid:gid with a lower-case name");
                continue;
            }
            long uid = Long.parseLong(fields[1]);
            if (uid < 1000 || Long.parseLong(fields[2]) < 1000) {
                problems.add(where + ": uid and gid must be at least 1000");
            }
            if (!names.add(fields[0])) {
                problems.add(where + ": " + fields[0] + " is listed twice");
            }
            if (!uids.add(uid)) {
                problems.add(where + ": uid " + uid + " is listed twice");
            }
        }
        return problems;
    }

    private static void checkTime(String what, String value, boolean unlimitedAllowed, List<String> problems) {
        if (value == null || !(SLURM_TIME.matcher(value).matches() || (unlimitedAllowed && value.equals("UNLIMITED")))) {
            problems.add(what + " '" + value + "' is not a Slurm time (minutes, or e.g. 1:30:00, 1-0)");
        }
    }

    private static boolean isMinutes(String value) {
        return value != null && value.matches("\\d{1,9}");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public Builder toBuilder() {
        return new Builder().stackName(stackName).imagePrefix(imagePrefix).imageTag(imageTag).registry(registry)
                .registryLogin(registryLogin).clusterRegistry(clusterRegistry).clusterRegistryPort(clusterRegistryPort)
                .workers(workers).initSwarm(initSwarm).timeout(timeout).jupyterPort(jupyterPort).usersFile(usersFile)
                .passwordsFile(passwordsFile).admins(String.join(",", admins)).idleTimeoutSeconds(idleTimeoutSeconds)
                .defaultTime(defaultTime).maxTime(maxTime).timeLimit(timeLimit).sandboxMemory(sandboxMemory)
                .sandboxPids(sandboxPids).sandboxOutputLimit(sandboxOutputLimit).userRunningLimit(userRunningLimit)
                .userSubmitLimit(userSubmitLimit).studentProcessLimit(studentProcessLimit).outputDirectory(outputDirectory).purge(purge).dockerHost(dockerHost);
    }

    public static final class Builder {
        private String stackName = DEFAULT_STACK;
        private String imagePrefix = DEFAULT_IMAGE_PREFIX;
        private String imageTag = "latest";
        private String registry;
        private RegistryLogin registryLogin;
        private boolean clusterRegistry;
        private int clusterRegistryPort = 5000;
        private int workers;
        private boolean initSwarm;
        private Duration timeout = Duration.ofSeconds(300);
        private int jupyterPort = 8888;
        private Path usersFile;
        private Path passwordsFile;
        private String admins;
        private int idleTimeoutSeconds = DEFAULT_IDLE_TIMEOUT_SECONDS;
        private String defaultTime = "5";
        private String maxTime = "30";
        private String timeLimit;
        private String sandboxMemory = "1g";
        private int sandboxPids = 256;
        private String sandboxOutputLimit = "16m";
        private int userRunningLimit = 1;
        private int userSubmitLimit = 4;
        private int studentProcessLimit = 512;
        private Path outputDirectory = Path.of("target", "cfiddle");
        private boolean purge;
        private String dockerHost;

        public Builder stackName(String v) { stackName = v; return this; }
        public Builder imagePrefix(String v) { imagePrefix = v; return this; }
        public Builder imageTag(String v) { imageTag = v; return this; }
        public Builder registry(String v) { registry = v; return this; }
        public Builder registryLogin(RegistryLogin v) { registryLogin = v; return this; }
        public Builder clusterRegistry(boolean v) { clusterRegistry = v; return this; }
        public Builder clusterRegistryPort(int v) { clusterRegistryPort = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder initSwarm(boolean v) { initSwarm = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder jupyterPort(int v) { jupyterPort = v; return this; }
        public Builder usersFile(Path v) { usersFile = v; return this; }
        public Builder passwordsFile(Path v) { passwordsFile = v; return this; }
        /** Comma-separated account names. */
        public Builder admins(String v) { admins = v; return this; }
        public Builder idleTimeoutSeconds(int v) { idleTimeoutSeconds = v; return this; }
        public Builder defaultTime(String v) { defaultTime = v; return this; }
        public Builder maxTime(String v) { maxTime = v; return this; }
        /** The --time of each experiment's job; null: the default time. */
        public Builder timeLimit(String v) { timeLimit = v; return this; }
        public Builder sandboxMemory(String v) { sandboxMemory = v; return this; }
        public Builder sandboxPids(int v) { sandboxPids = v; return this; }
        public Builder sandboxOutputLimit(String v) { sandboxOutputLimit = v; return this; }
        public Builder userRunningLimit(int v) { userRunningLimit = v; return this; }
        public Builder userSubmitLimit(int v) { userSubmitLimit = v; return this; }
        public Builder studentProcessLimit(int v) { studentProcessLimit = v; return this; }
        public Builder outputDirectory(Path v) { outputDirectory = v; return this; }
        public Builder purge(boolean v) { purge = v; return this; }
        public Builder dockerHost(String v) { dockerHost = v; return this; }

        public DeployConfig build() {
            return new DeployConfig(this);
        }
    }
}
