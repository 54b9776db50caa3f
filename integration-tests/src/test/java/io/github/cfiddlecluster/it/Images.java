package io.github.cfiddlecluster.it;

import org.testcontainers.utility.DockerImageName;

/** The images under test, as the build named them (failsafe passes the names as system properties). */
public final class Images {
    public static final DockerImageName CLUSTER = named("cfiddle.image.cluster", "cfiddle-cluster/cluster:latest");
    public static final DockerImageName USER = named("cfiddle.image.user", "cfiddle-cluster/user:latest");
    public static final DockerImageName SANDBOX = named("cfiddle.image.sandbox", "cfiddle-cluster/sandbox:latest");
    public static final DockerImageName DASHBOARD = named("cfiddle.image.dashboard", "cfiddle-cluster/dashboard:latest");
    public static final DockerImageName REGISTRY = named("cfiddle.image.registry", "cfiddle-cluster/registry:latest");

    private Images() {
    }

    private static DockerImageName named(String property, String fallback) {
        return DockerImageName.parse(System.getProperty(property, fallback));
    }
}
