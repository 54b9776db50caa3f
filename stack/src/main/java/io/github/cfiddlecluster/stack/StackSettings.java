package io.github.cfiddlecluster.stack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one deployment puts into the stack template: the operator's {@link ClusterSettings}, and what the deploy
 * found or made (the images, the users config, the passwords secret). Build with {@link #builder(String)}.
 */
public final class StackSettings {
    private final String stackName;
    private final String clusterImage;
    private final String clusterImageId;
    private final String userImage;
    private final String userImageId;
    private final String sandboxImage;
    private final String dashboardImage;
    private final String dashboardImageId;
    private final String usersConfigName;
    private final String passwordsSecretName;
    private final ClusterSettings cluster;

    private StackSettings(Builder b) {
        this.stackName = Objects.requireNonNull(b.stackName, "stackName");
        this.clusterImage = Objects.requireNonNull(b.clusterImage, "clusterImage");
        this.clusterImageId = b.clusterImageId == null ? "" : b.clusterImageId;
        this.userImage = Objects.requireNonNull(b.userImage, "userImage");
        this.userImageId = b.userImageId == null ? "" : b.userImageId;
        this.sandboxImage = Objects.requireNonNull(b.sandboxImage, "sandboxImage");
        this.dashboardImage = Objects.requireNonNull(b.dashboardImage, "dashboardImage");
        this.dashboardImageId = b.dashboardImageId == null ? "" : b.dashboardImageId;
        this.usersConfigName = b.usersConfigName;
        this.passwordsSecretName = b.passwordsSecretName;
        this.cluster = b.cluster;
        if (cluster.workers() < 0) {
            throw new IllegalArgumentException("workers must be 0 (one per labelled node) or more, not " + cluster.workers());
        }
    }

    public static Builder builder(String stackName) {
        return new Builder(stackName);
    }

    public String stackName() { return stackName; }
    public String clusterImage() { return clusterImage; }
    public String userImage() { return userImage; }
    public String sandboxImage() { return sandboxImage; }
    /** 0: one worker per node labelled cfiddle.worker=true (global mode); N: N workers (replicated, single host). */
    public int workers() { return cluster.workers(); }
    /** The swarm config holding the users file, or null to keep the images' own. */
    public String usersConfigName() { return usersConfigName; }
    /** The swarm secret holding the students' password hashes, or null: nobody can log in to the hub. */
    public String passwordsSecretName() { return passwordsSecretName; }
    public int jupyterPort() { return cluster.jupyterPort(); }
    public ClusterSettings cluster() { return cluster; }

    /** The template's variables, as compose interpolation sees them: the nodes' settings under their own names. */
    public Map<String, String> variables() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("STACK_NAME", stackName);
        v.put("CLUSTER_IMAGE", clusterImage);
        v.put("CLUSTER_IMAGE_ID", clusterImageId);
        v.put("USER_IMAGE", userImage);
        v.put("USER_IMAGE_ID", userImageId);
        v.put("SANDBOX_IMAGE", sandboxImage);
        v.put("DASHBOARD_IMAGE", dashboardImage);
        v.put("DASHBOARD_IMAGE_ID", dashboardImageId);
        v.put("JUPYTER_PORT", Integer.toString(cluster.jupyterPort()));
        v.putAll(cluster.environment());
        v.putAll(ServiceLimits.variables(cluster));
        return v;
    }

    public static final class Builder {
        private final String stackName;
        private String clusterImage;
        private String clusterImageId;
        private String userImage;
        private String userImageId;
        private String sandboxImage;
        private String dashboardImage;
        private String dashboardImageId;
        private String usersConfigName;
        private String passwordsSecretName;
        private ClusterSettings cluster = ClusterSettings.defaults();

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

        public Builder dashboardImage(String image, String imageId) {
            this.dashboardImage = image;
            this.dashboardImageId = imageId;
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

        /** The operator's settings (default: every setting's default). */
        public Builder cluster(ClusterSettings settings) {
            this.cluster = Objects.requireNonNull(settings, "cluster settings");
            return this;
        }

        public StackSettings build() {
            return new StackSettings(this);
        }
    }
}
