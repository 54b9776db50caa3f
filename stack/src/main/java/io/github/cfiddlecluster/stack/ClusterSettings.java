package io.github.cfiddlecluster.stack;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator's settings of a cluster: what the stack passes to the nodes, with its defaults and rules in this
 * one place. The defaults come from the root pom's {@code cfiddle.default.*} properties, through the same file the
 * images load ({@code cluster-defaults.env}); {@link #environment()} names each setting as the nodes read it.
 * Build with {@link #builder()}; a setting given as null keeps its default.
 */
public final class ClusterSettings {
    private static final Properties DEFAULTS = load("cluster-defaults.env", "build-defaults.properties");

    /** Slurm time: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]]. */
    private static final Pattern SLURM_TIME = Pattern.compile("\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d+(?::\\d{1,2}){0,2}");
    private static final Pattern SIZE = Pattern.compile("\\d+[bkmgBKMG]?");
    private static final int MIN_IDLE_TIMEOUT_SECONDS = 10;
    /** A notebook server and its kernel alone need about 40 processes. */
    private static final int MIN_STUDENT_PROCESSES = 64;
    /** The hub, its proxy and the node's own services: what the user node runs besides the students. */
    private static final int HUB_PROCESSES = 256;
    private static final long MIN_STUDENT_MEMORY = 256L << 20;
    private static final long MIN_STUDENT_DISK = 16L << 20;
    private static final Pattern CPUS = Pattern.compile("\\d{1,4}(\\.\\d{1,3})?");
    /** A DNS name (its labels), as browsers must resolve it and NAME.HOST: no scheme, port or path. */
    private static final Pattern HOST_NAME = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private final int workers;
    private final int jupyterPort;
    private final List<String> admins;
    private final int idleTimeoutSeconds;
    private final String defaultTime;
    private final String maxTime;
    /** As given: null or blank for "the default time". */
    private final String timeLimit;
    private final String sandboxMemory;
    private final int sandboxPids;
    private final String sandboxOutputLimit;
    private final int userRunningLimit;
    private final int userSubmitLimit;
    private final int studentProcessLimit;
    private final int userNodeProcessLimit;
    private final String studentMemory;
    private final String studentCpus;
    private final String studentDiskQuota;
    private final String hubHost;

    private ClusterSettings(Builder b) {
        workers = b.workers;
        jupyterPort = b.jupyterPort;
        admins = b.admins;
        idleTimeoutSeconds = b.idleTimeoutSeconds;
        defaultTime = b.defaultTime;
        maxTime = b.maxTime;
        timeLimit = b.timeLimit == null || b.timeLimit.isBlank() ? null : b.timeLimit.trim();
        sandboxMemory = b.sandboxMemory;
        sandboxPids = b.sandboxPids;
        sandboxOutputLimit = b.sandboxOutputLimit;
        userRunningLimit = b.userRunningLimit;
        userSubmitLimit = b.userSubmitLimit;
        studentProcessLimit = b.studentProcessLimit;
        userNodeProcessLimit = b.userNodeProcessLimit;
        studentMemory = b.studentMemory;
        studentCpus = b.studentCpus;
        studentDiskQuota = b.studentDiskQuota;
        hubHost = b.hubHost;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ClusterSettings defaults() {
        return builder().build();
    }

    /**
     * A default that is no node's setting: IMAGE_PREFIX and IMAGE_TAG (what this build made), JUPYTER_PORT,
     * USER_NODE_PROCESS_LIMIT.
     */
    public static String buildDefault(String name) {
        return required(name);
    }

    /** 0: one worker per node labelled cfiddle.worker=true (global mode); N: N workers (replicated, single host). */
    public int workers() { return workers; }
    public int jupyterPort() { return jupyterPort; }
    /** The hub's admin accounts, whose Slurm jobs may also run anything on a worker. */
    public List<String> admins() { return admins; }
    public int idleTimeoutSeconds() { return idleTimeoutSeconds; }
    public String defaultTime() { return defaultTime; }
    public String maxTime() { return maxTime; }
    /** The --time of each experiment's job: the default time unless set. */
    public String timeLimit() { return timeLimit == null ? defaultTime : timeLimit; }
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
    /** Processes (and threads) of the whole user node: the hub and every student's together (its pids limit). */
    public int userNodeProcessLimit() { return userNodeProcessLimit; }
    /** Memory of one student's processes on the user node together (their cgroup; no swap beyond it). */
    public String studentMemory() { return studentMemory; }
    /** CPUs one student's processes on the user node may use together (a decimal, e.g. 1 or 0.5). */
    public String studentCpus() { return studentCpus; }
    /** Disk one student's home may hold. */
    public String studentDiskQuota() { return studentDiskQuota; }
    /** The hub's public host name; each student's server is at NAME.HOST (a browser origin of its own). */
    public String hubHost() { return hubHost; }

    /** The settings as the nodes' environment names them (what the stack sets, and the test fixture). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SLURM_DEFAULT_TIME", defaultTime);
        env.put("SLURM_MAX_TIME", maxTime);
        env.put("SLURM_USER_RUNNING_LIMIT", Integer.toString(userRunningLimit));
        env.put("SLURM_USER_SUBMIT_LIMIT", Integer.toString(userSubmitLimit));
        env.put("CFIDDLE_TIME_LIMIT", timeLimit());
        env.put("CFIDDLE_SANDBOX_MEMORY", sandboxMemory);
        env.put("CFIDDLE_SANDBOX_PIDS", Integer.toString(sandboxPids));
        env.put("CFIDDLE_SANDBOX_OUTPUT_LIMIT", sandboxOutputLimit);
        env.put("CFIDDLE_ADMINS", String.join(",", admins));
        env.put("CFIDDLE_IDLE_TIMEOUT", Integer.toString(idleTimeoutSeconds));
        env.put("CFIDDLE_STUDENT_PROCESS_LIMIT", Integer.toString(studentProcessLimit));
        env.put("CFIDDLE_STUDENT_MEMORY", studentMemory);
        env.put("CFIDDLE_STUDENT_CPUS", studentCpus);
        env.put("CFIDDLE_STUDENT_DISK_QUOTA", studentDiskQuota);
        env.put("CFIDDLE_HUB_HOST", hubHost);
        return env;
    }

    /** Every broken rule, as a sentence naming the setting (its cfiddle.* property) and what it must be. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (workers < 0) {
            problems.add("cfiddle.workers must be 0 (one worker per node labelled cfiddle.worker=true) or a count, not " + workers);
        }
        if (jupyterPort < 1 || jupyterPort > 65535) {
            problems.add("cfiddle.port (Jupyter) " + jupyterPort + " is not between 1 and 65535");
        }
        checkTime("cfiddle.defaultTime", defaultTime, false, problems);
        checkTime("cfiddle.maxTime", maxTime, true, problems);
        String limit = timeLimit();
        checkTime("cfiddle.timeLimit", limit, false, problems);
        if (isMinutes(limit) && isMinutes(maxTime) && Long.parseLong(limit) > Long.parseLong(maxTime)) {
            problems.add("cfiddle.timeLimit " + limit + " min exceeds cfiddle.maxTime " + maxTime + " min: every job would be rejected");
        }
        if (isMinutes(defaultTime) && isMinutes(maxTime) && Long.parseLong(defaultTime) > Long.parseLong(maxTime)) {
            problems.add("cfiddle.defaultTime " + defaultTime + " min exceeds cfiddle.maxTime " + maxTime + " min");
        }
        if (sandboxMemory == null || !SIZE.matcher(sandboxMemory).matches()) {
            problems.add("cfiddle.sandboxMemory '" + sandboxMemory + "' is not a Docker memory size (e.g. 512m, 1g)");
        }
        if (sandboxPids < 1) {
            problems.add("cfiddle.sandboxPids must be at least 1, not " + sandboxPids);
        }
        if (sandboxOutputLimit == null || !SIZE.matcher(sandboxOutputLimit).matches()) {
            problems.add("cfiddle.sandboxOutputLimit '" + sandboxOutputLimit + "' is not a size (e.g. 16m)");
        }
        if (userRunningLimit < 1) {
            problems.add("cfiddle.userRunningLimit must be at least 1, not " + userRunningLimit);
        }
        if (userSubmitLimit < userRunningLimit) {
            problems.add("cfiddle.userSubmitLimit " + userSubmitLimit + " is below cfiddle.userRunningLimit "
                    + userRunningLimit + " (it counts running and waiting experiments)");
        }
        if (studentProcessLimit < MIN_STUDENT_PROCESSES) {
            problems.add("cfiddle.studentProcessLimit " + studentProcessLimit + " is below " + MIN_STUDENT_PROCESSES
                    + ": a notebook server and its kernel alone need about 40");
        }
        if (userNodeProcessLimit < studentProcessLimit + HUB_PROCESSES) {
            problems.add("cfiddle.userNodeProcessLimit " + userNodeProcessLimit + " is below cfiddle.studentProcessLimit "
                    + studentProcessLimit + " + " + HUB_PROCESSES + ": one student at their limit would leave the hub no"
                    + " room; allow about 50 per student who works at the same time");
        }
        if (studentMemory == null || !SIZE.matcher(studentMemory).matches() || bytes(studentMemory) < MIN_STUDENT_MEMORY) {
            problems.add("cfiddle.studentMemory '" + studentMemory + "' is not a memory size of at least 256m (a notebook"
                    + " server with a kernel that ran the example uses about 280 MB)");
        }
        if (studentCpus == null || !CPUS.matcher(studentCpus).matches() || Double.parseDouble(studentCpus) < 0.1) {
            problems.add("cfiddle.studentCpus '" + studentCpus + "' is not a number of CPUs of at least 0.1 (e.g. 1, 0.5)");
        }
        if (studentDiskQuota == null || !SIZE.matcher(studentDiskQuota).matches() || bytes(studentDiskQuota) < MIN_STUDENT_DISK) {
            problems.add("cfiddle.studentDiskQuota '" + studentDiskQuota + "' is not a size of at least 16m (e.g. 1g)");
        }
        if (hubHost == null || !HOST_NAME.matcher(hubHost).matches() || hubHost.length() > 200) {
            problems.add("cfiddle.hubHost '" + hubHost + "' is not a host name (e.g. hub.example.edu, with wildcard DNS"
                    + " for *.hub.example.edu; no scheme, port or path)");
        }
        if (idleTimeoutSeconds < MIN_IDLE_TIMEOUT_SECONDS) {
            problems.add("cfiddle.idleTimeout must be at least " + MIN_IDLE_TIMEOUT_SECONDS + " seconds, not " + idleTimeoutSeconds);
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

    public Builder toBuilder() {
        Builder b = new Builder();
        b.workers = workers;
        b.jupyterPort = jupyterPort;
        b.admins = admins;
        b.idleTimeoutSeconds = idleTimeoutSeconds;
        b.defaultTime = defaultTime;
        b.maxTime = maxTime;
        b.timeLimit = timeLimit;
        b.sandboxMemory = sandboxMemory;
        b.sandboxPids = sandboxPids;
        b.sandboxOutputLimit = sandboxOutputLimit;
        b.userRunningLimit = userRunningLimit;
        b.userSubmitLimit = userSubmitLimit;
        b.studentProcessLimit = studentProcessLimit;
        b.userNodeProcessLimit = userNodeProcessLimit;
        b.studentMemory = studentMemory;
        b.studentCpus = studentCpus;
        b.studentDiskQuota = studentDiskQuota;
        b.hubHost = hubHost;
        return b;
    }

    /** Fluent; null keeps the default (so a front end passes what the user gave, as it is). */
    public static final class Builder {
        private int workers;
        private int jupyterPort = number("JUPYTER_PORT");
        private List<String> admins = List.of();
        private int idleTimeoutSeconds = number("CFIDDLE_IDLE_TIMEOUT");
        private String defaultTime = required("SLURM_DEFAULT_TIME");
        private String maxTime = required("SLURM_MAX_TIME");
        private String timeLimit;
        private String sandboxMemory = required("CFIDDLE_SANDBOX_MEMORY");
        private int sandboxPids = number("CFIDDLE_SANDBOX_PIDS");
        private String sandboxOutputLimit = required("CFIDDLE_SANDBOX_OUTPUT_LIMIT");
        private int userRunningLimit = number("SLURM_USER_RUNNING_LIMIT");
        private int userSubmitLimit = number("SLURM_USER_SUBMIT_LIMIT");
        private int studentProcessLimit = number("CFIDDLE_STUDENT_PROCESS_LIMIT");
        private int userNodeProcessLimit = number("USER_NODE_PROCESS_LIMIT");
        private String studentMemory = required("CFIDDLE_STUDENT_MEMORY");
        private String studentCpus = required("CFIDDLE_STUDENT_CPUS");
        private String studentDiskQuota = required("CFIDDLE_STUDENT_DISK_QUOTA");
        private String hubHost = required("CFIDDLE_HUB_HOST");

        private Builder() {
        }

        public Builder workers(Integer v) { if (v != null) workers = v; return this; }
        public Builder jupyterPort(Integer v) { if (v != null) jupyterPort = v; return this; }
        /** Comma-separated account names (blanks ignored). */
        public Builder admins(String v) {
            if (v != null) {
                admins = Arrays.stream(v.split(",")).map(String::trim).filter(a -> !a.isEmpty())
                        .collect(Collectors.toUnmodifiableList());
            }
            return this;
        }
        public Builder idleTimeoutSeconds(Integer v) { if (v != null) idleTimeoutSeconds = v; return this; }
        public Builder defaultTime(String v) { if (v != null) defaultTime = v.trim(); return this; }
        public Builder maxTime(String v) { if (v != null) maxTime = v.trim(); return this; }
        /** The --time of each experiment's job; null or blank: the default time. */
        public Builder timeLimit(String v) { timeLimit = v; return this; }
        public Builder sandboxMemory(String v) { if (v != null) sandboxMemory = v.trim(); return this; }
        public Builder sandboxPids(Integer v) { if (v != null) sandboxPids = v; return this; }
        public Builder sandboxOutputLimit(String v) { if (v != null) sandboxOutputLimit = v.trim(); return this; }
        public Builder userRunningLimit(Integer v) { if (v != null) userRunningLimit = v; return this; }
        public Builder userSubmitLimit(Integer v) { if (v != null) userSubmitLimit = v; return this; }
        public Builder studentProcessLimit(Integer v) { if (v != null) studentProcessLimit = v; return this; }
        public Builder userNodeProcessLimit(Integer v) { if (v != null) userNodeProcessLimit = v; return this; }
        public Builder studentMemory(String v) { if (v != null) studentMemory = v.trim(); return this; }
        public Builder studentCpus(String v) { if (v != null) studentCpus = v.trim(); return this; }
        public Builder studentDiskQuota(String v) { if (v != null) studentDiskQuota = v.trim(); return this; }
        public Builder hubHost(String v) { if (v != null) hubHost = v.trim(); return this; }

        public ClusterSettings build() {
            return new ClusterSettings(this);
        }
    }

    private static String required(String name) {
        String value = DEFAULTS.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("no default for " + name + " in this build's defaults (root pom cfiddle.default.*)");
        }
        return value.trim();
    }

    /** Bytes in a size that matches SIZE (512k, 1g, plain bytes). */
    private static long bytes(String size) {
        char unit = Character.toLowerCase(size.charAt(size.length() - 1));
        int scale = "bkmg".indexOf(unit);
        String digits = scale < 0 ? size : size.substring(0, size.length() - 1);
        return digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits) << (10 * Math.max(scale, 0));
    }

    private static int number(String name) {
        return Integer.parseInt(required(name));
    }

    private static Properties load(String... resources) {
        Properties properties = new Properties();
        for (String resource : resources) {
            try (InputStream in = ClusterSettings.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + resource + " is missing from the stack module's jar");
                }
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + resource, e);
            }
        }
        return properties;
    }
}
