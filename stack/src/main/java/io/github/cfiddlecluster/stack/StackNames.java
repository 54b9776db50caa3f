package io.github.cfiddlecluster.stack;

import java.util.List;

/**
 * The names the stack template defines, in one place for the code that deploys and inspects the stack.
 * Swarm prefixes services, networks, volumes and stack-owned objects with {@code <stack>_}.
 */
public final class StackNames {
    public static final String DB = "db";
    public static final String SLURMDBD = "slurmdbd";
    public static final String CONTROLLER = "slurmctld";
    public static final String WORKER = "worker";
    public static final String USER = "user";
    /** Where the user node has the host's /sys/fs/cgroup, read-write (the user image's student_limits.HOST_CGROUP). */
    public static final String USER_NODE_HOST_CGROUP = "/var/lib/cfiddle-host/cgroup";
    /** The live dashboard, which the hub's proxy serves at {@link #DASHBOARD_PATH}. */
    public static final String DASHBOARD = "dashboard";
    /** In start order: what each service waits for comes before it. */
    public static final List<String> SERVICES = List.of(DB, SLURMDBD, CONTROLLER, WORKER, USER, DASHBOARD);
    /** Where students open the dashboard, under the hub's URL. */
    public static final String DASHBOARD_PATH = "/services/dashboard/";

    public static final String NETWORK = "cluster";
    public static final List<String> VOLUMES = List.of("db-data", "slurmctld-state", "homes", "hub-data");

    /** Secrets, as the template calls them; {@link #secretName} gives their names in the swarm. */
    public static final String MUNGE_KEY = "munge_key";
    public static final String DB_PASSWORD = "db_password";
    /** The hub service token of the dashboard, also its OAuth client secret: shared by the hub and the dashboard. */
    public static final String DASHBOARD_OAUTH = "dashboard_oauth";
    public static final List<String> SECRETS = List.of(MUNGE_KEY, DB_PASSWORD, DASHBOARD_OAUTH);

    /** The students' password hashes, as the template calls that secret, and where the user node reads it. */
    public static final String PASSWORDS_SECRET = "passwords";
    public static final String PASSWORDS_FILE_TARGET = "/run/secrets/passwords";

    /** The users config, as the template calls it, and where nodes read it. */
    public static final String USERS_CONFIG = "users";
    public static final String USERS_FILE_TARGET = "/etc/cfiddle/users";

    /** The registry a multi-host cluster brings: its stack's services (see {@link #registryStackName}). */
    public static final String REGISTRY = "registry";
    public static final String REGISTRY_MIRROR = "mirror";
    public static final List<String> REGISTRY_SERVICES = List.of(REGISTRY, REGISTRY_MIRROR);

    /** Node labels the placement constraints use. */
    public static final String HEAD_LABEL = "cfiddle.head";
    public static final String WORKER_LABEL = "cfiddle.worker";
    /** Where the user node (JupyterHub, the students' homes) runs: the head node unless the admin labels another. */
    public static final String USER_LABEL = "cfiddle.user";

    /** Label docker stack deploy puts on everything it creates (and docker stack rm removes). */
    public static final String STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";
    /**
     * Label of the secrets and configs the deploy tooling creates for a stack. Not the namespace label: those
     * would go with {@code docker stack rm}, and secrets must outlive an undeploy.
     */
    public static final String OWNER_LABEL = "io.github.cfiddle-cluster.stack";
    /** Container label holding the image id, so that a rebuilt image under an unchanged tag rolls out. */
    public static final String IMAGE_ID_LABEL = "io.github.cfiddle-cluster.image-id";

    private StackNames() {}

    public static String serviceName(String stack, String service) {
        return stack + "_" + service;
    }

    /** The stack of the registry a cluster brings: deployed, filled and removed with the cluster's own. */
    public static String registryStackName(String stack) {
        return stack + "-registry";
    }

    public static String secretName(String stack, String secret) {
        return stack + "_" + secret;
    }

    /** Configs are immutable: the name carries a hash of the content, so a changed file is a new config. */
    public static String usersConfigName(String stack, String contentHash) {
        return stack + "_users_" + contentHash;
    }

    /** Secrets are immutable too: the passwords secret's name carries a hash of the file, like the users config. */
    public static String passwordsSecretName(String stack, String contentHash) {
        return stack + "_passwords_" + contentHash;
    }

    /**
     * The Slurm node name of the worker on a swarm node (global mode): the template's hostname
     * {@code {{.Node.Hostname}}-worker} as {@code hostname -s} shows it, i.e. cut at the first dot.
     */
    public static String globalWorkerHostname(String nodeHostname) {
        String hostname = nodeHostname + "-worker";
        int dot = hostname.indexOf('.');
        return dot < 0 ? hostname : hostname.substring(0, dot);
    }

    /** The Slurm node name of a replicated worker task (single-host mode). */
    public static String replicatedWorkerHostname(int slot) {
        return "worker-" + slot;
    }
}
