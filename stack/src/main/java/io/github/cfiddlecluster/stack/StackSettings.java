package io.github.cfiddlecluster.stack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What one deployment puts into the stack template. Build with {@link #builder(String)}. */
public final class StackSettings {
    private final String stackName;
    private final String clusterImage;
    private final String clusterImageId;
    private final String userImage;
    private final String userImageId;
    private final String sandboxImage;
    private final int workers;
    private final String usersConfigName;
    private final String passwordsSecretName;
    private final String admins;
    private final int idleTimeoutSeconds;
    private final int jupyterPort;
    private final String defaultTime;
    private final String maxTime;
    private final String timeLimit;
    private final String sandboxMemory;
    private final int sandboxPids;
    private final String sandboxOutputLimit;
    private final int userRunningLimit;
    private final int userSubmitLimit;
    private final int studentProcessLimit;

    private StackSettings(Builder b) {
        this.stackName = Objects.requireNonNull(b.stackName, "stackName");
        this.clusterImage = Objects.requireNonNull(b.clusterImage, "clusterImage");
        this.clusterImageId = b.clusterImageId == null ? "" : b.clusterImageId;
        this.userImage = Objects.requireNonNull(b.userImage, "userImage");
        this.userImageId = b.userImageId == null ? "" : b.userImageId;
        this.sandboxImage = Objects.requireNonNull(b.sandboxImage, "sandboxImage");
        if (b.workers < 0) {
            throw new IllegalArgumentException("workers must be 0 (one per labelled node) or more, not " + b.workers);
        }
        this.workers = b.workers;
        this.usersConfigName = b.usersConfigName;
        this.passwordsSecretName = b.passwordsSecretName;
        this.admins = b.admins;
        this.idleTimeoutSeconds = b.idleTimeoutSeconds;
        this.jupyterPort = b.jupyterPort;
        this.defaultTime = b.defaultTime;
        this.maxTime = b.maxTime;
        this.timeLimit = b.timeLimit;
        this.sandboxMemory = b.sandboxMemory;
        this.sandboxPids = b.sandboxPids;
        this.sandboxOutputLimit = b.sandboxOutputLimit;
        this.userRunningLimit = b.userRunningLimit;
        this.userSubmitLimit = b.userSubmitLimit;
        this.studentProcessLimit = b.studentProcessLimit;
    }

    public static Builder builder(String stackName) {
        return new Builder(stackName);
    }

    public String stackName() { return stackName; }
    public String clusterImage() { return clusterImage; }
    public String userImage() { return userImage; }
    public String sandboxImage() { return sandboxImage; }
    /** 0: one worker per node labelled cfiddle.worker=true (global mode); N: N workers (replicated, single host). */
    public int workers() { return workers; }
    /** The swarm config holding the users file, or null to keep the images' own. */
    public String usersConfigName() { return usersConfigName; }
    /** The swarm secret holding the students' password hashes, or null: nobody can log in to the hub. */
    public String passwordsSecretName() { return passwordsSecretName; }
    public int jupyterPort() { return jupyterPort; }

    /** The template's variables, as compose interpolation sees them. */
    public Map<String, String> variables() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("STACK_NAME", stackName);
        v.put("CLUSTER_IMAGE", clusterImage);
        v.put("CLUSTER_IMAGE_ID", clusterImageId);
        v.put("USER_IMAGE", userImage);
        v.put("USER_IMAGE_ID", userImageId);
        v.put("SANDBOX_IMAGE", sandboxImage);
        v.put("JUPYTER_PORT", Integer.toString(jupyterPort));
        v.put("SLURM_DEFAULT_TIME", defaultTime);
        v.put("SLURM_MAX_TIME", maxTime);
        v.put("CFIDDLE_TIME_LIMIT", timeLimit);
        v.put("SANDBOX_MEMORY", sandboxMemory);
        v.put("SANDBOX_PIDS", Integer.toString(sandboxPids));
        v.put("SANDBOX_OUTPUT_LIMIT", sandboxOutputLimit);
        v.put("USER_RUNNING_LIMIT", Integer.toString(userRunningLimit));
        v.put("USER_SUBMIT_LIMIT", Integer.toString(userSubmitLimit));
        v.put("STUDENT_PROCESS_LIMIT", Integer.toString(studentProcessLimit));
        v.put("CFIDDLE_ADMINS", admins);
        v.put("CFIDDLE_IDLE_TIMEOUT", Integer.toString(idleTimeoutSeconds));
        return v;
    }

    public static final class Builder {
        private final String stackName;
        private String clusterImage;
        private String clusterImageId;
        private String userImage;
        private String userImageId;
        private String sandboxImage;
        private int workers;
        private String usersConfigName;
        private String passwordsSecretName;
        private String admins = "";
        private int idleTimeoutSeconds = 3600;
        private int jupyterPort = 8888;
        private String defaultTime = "5";
        private String maxTime = "30";
        private String timeLimit = "5";
        private String sandboxMemory = "1g";
        private int sandboxPids = 256;
        private String sandboxOutputLimit = "16m";
        private int userRunningLimit = 1;
        private int userSubmitLimit = 4;
        private int studentProcessLimit = 512;

        private Builder(String stackName) {
            this.stackName = stackName;
        }

        public Builder clusterImage(String image, String imageId) {
            this.clusterImage = image;
            this.clusterImageId = imageId;
            return this;
        }

        public Builder userImage(String image, String imageId) {
            this.userImage = image;
            this.userImageId = imageId;
            return this;
        }

        public Builder sandboxImage(String image) {
            this.sandboxImage = image;
            return this;
        }

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public Builder usersConfigName(String name) {
            this.usersConfigName = name;
            return this;
        }

        public Builder passwordsSecretName(String name) {
            this.passwordsSecretName = name;
            return this;
        }

        /** The hub's admin accounts, comma-separated (the user node's CFIDDLE_ADMINS). */
        public Builder admins(String commaSeparated) {
            this.admins = commaSeparated;
            return this;
        }

        /** Seconds after which an idle notebook server stops itself. */
        public Builder idleTimeoutSeconds(int seconds) {
            this.idleTimeoutSeconds = seconds;
            return this;
        }

        public Builder jupyterPort(int port) {
            this.jupyterPort = port;
            return this;
        }

        /** Slurm's partition DefaultTime and MaxTime, and the time limit of each experiment's job (minutes). */
        public Builder times(String defaultTime, String maxTime, String timeLimit) {
            this.defaultTime = defaultTime;
            this.maxTime = maxTime;
            this.timeLimit = timeLimit;
            return this;
        }

        public Builder sandboxLimits(String memory, int pids) {
            this.sandboxMemory = memory;
            this.sandboxPids = pids;
            return this;
        }

        /** What each experiment may write to each of its output streams. */
        public Builder sandboxOutputLimit(String limit) {
            this.sandboxOutputLimit = limit;
            return this;
        }

        /** Experiments one user may have running, and running or waiting, at once. */
        public Builder userLimits(int running, int submitted) {
            this.userRunningLimit = running;
            this.userSubmitLimit = submitted;
            return this;
        }

        /** Processes one student may have at once on the user node. */
        public Builder studentProcessLimit(int limit) {
            this.studentProcessLimit = limit;
            return this;
        }

        public StackSettings build() {
            return new StackSettings(this);
        }
    }
}
