package io.github.cfiddlecluster.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Renders the real template and reads the result back as YAML, the way docker stack deploy would. */
class StackRendererTest {
    private final StackRenderer renderer = new StackRenderer();

    private static StackSettings.Builder settings() {
        return StackSettings.builder("cfiddle")
                .clusterImage("reg:5000/cfiddle-cluster/cluster:1.0", "sha256:c1")
                .userImage("reg:5000/cfiddle-cluster/user:1.0", "sha256:u1")
                .sandboxImage("reg:5000/cfiddle-cluster/sandbox:1.0")
                .dashboardImage("reg:5000/cfiddle-cluster/dashboard:1.0", "sha256:d1");
    }

    private Map<String, Object> rendered(StackSettings s) {
        return new Yaml().load(renderer.render(s));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String key : path) {
            assertThat((Map<String, Object>) o).containsKey(key);
            o = ((Map<String, Object>) o).get(key);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        return (List<Map<String, Object>>) m.get(key);
    }

    @Test
    void isComposeFileVersion39WithTheSixServices() {
        Map<String, Object> stack = rendered(settings().build());
        // 3.9: the first version whose deploy.resources.limits may hold pids
        assertThat(stack.get("version")).isEqualTo("3.9");
        assertThat(at(stack, "services")).containsOnlyKeys(StackNames.SERVICES);
    }

    @Test
    void everyServiceHasItsProcessLimit() {
        Map<String, Object> services = at(rendered(settings().build()), "services");
        for (String name : StackNames.SERVICES) {
            assertThat(at(services, name, "deploy", "resources", "limits").get("pids")).as(name)
                    .isEqualTo(ServiceLimits.pids(name, ClusterSettings.defaults()));
        }
    }

    @Test
    void theUserNodesProcessLimitIsASetting() {
        ClusterSettings course = ClusterSettings.builder().userNodeProcessLimit(30000).build();
        Map<String, Object> services = at(rendered(settings().cluster(course).build()), "services");
        assertThat(at(services, StackNames.USER, "deploy", "resources", "limits").get("pids")).isEqualTo(30000);
        assertThat(ServiceLimits.pids(StackNames.USER, ClusterSettings.defaults()))
                .isEqualTo(ClusterSettings.defaults().userNodeProcessLimit()).isPositive();
    }

    @Test
    void everyServiceUsesDnsrrAnImageIdLabelAndAHealthcheck() {
        Map<String, Object> services = at(rendered(settings().build()), "services");
        for (String name : StackNames.SERVICES) {
            Map<String, Object> service = at(services, name);
            assertThat(at(service, "deploy").get("endpoint_mode")).as(name).isEqualTo("dnsrr");
            assertThat(at(service, "healthcheck").get("test")).as(name).isNotNull();
            assertThat(at(service, "labels").get(StackNames.IMAGE_ID_LABEL)).as(name)
                    .isEqualTo(switch (name) {
                        case "user" -> "sha256:u1";
                        case "dashboard" -> "sha256:d1";
                        default -> "sha256:c1";
                    });
        }
        Map<String, Object> network = at(rendered(settings().build()), "networks", "cluster");
        assertThat(network).containsEntry("driver", "overlay").containsEntry("attachable", true);
    }

    @Test
    void theAccountingDatabaseIsOnlyOnTheBackEndNetworkWhichOnlyTheControllerAndTheDashboardJoin() {
        Map<String, Object> services = at(rendered(settings().build()), "services");
        assertThat(at(services, "db").get("networks")).isEqualTo(List.of("backend"));
        assertThat(at(services, "slurmdbd").get("networks")).isEqualTo(List.of("backend"));
        assertThat(at(services, "slurmctld").get("networks")).isEqualTo(List.of("cluster", "backend"));
        assertThat(at(services, "worker").get("networks")).isEqualTo(List.of("cluster"));
        assertThat(at(services, "user").get("networks")).isEqualTo(List.of("cluster"));
        // sacct, for the dashboard's history, talks to slurmdbd itself
        assertThat(at(services, "dashboard").get("networks")).isEqualTo(List.of("cluster", "backend"));
    }

    @Test
    void fairUseLimitsAndTheClusterLabelReachTheNodes() {
        StackSettings settings = settings().cluster(ClusterSettings.builder().userRunningLimit(2).userSubmitLimit(7).sandboxOutputLimit("3m").build()).build();
        Map<String, Object> services = at(rendered(settings), "services");
        assertThat(at(services, "slurmctld", "environment")).containsEntry("SLURM_USER_RUNNING_LIMIT", "2")
                .containsEntry("SLURM_USER_SUBMIT_LIMIT", "7");
        assertThat(at(services, "worker", "environment")).containsEntry("CFIDDLE_SANDBOX_OUTPUT_LIMIT", "3m")
                .containsEntry("CFIDDLE_CLUSTER_NAME", settings.stackName());
        assertThat(at(services, "user", "environment")).containsEntry("CFIDDLE_SANDBOX_OUTPUT_LIMIT", "3m");
        assertThat(at(services, "worker", "deploy", "resources", "limits")).containsKey("memory");
        assertThat(at(services, "user", "deploy", "resources", "limits")).containsKey("memory");
    }

    @Test
    void rolesImagesAndHostnames() {
        Map<String, Object> services = at(rendered(settings().build()), "services");
        assertThat(at(services, "db").get("command")).isEqualTo(List.of("db"));
        assertThat(at(services, "slurmdbd").get("command")).isEqualTo(List.of("dbd"));
        assertThat(at(services, "slurmctld").get("command")).isEqualTo(List.of("controller"));
        assertThat(at(services, "worker").get("command")).isEqualTo(List.of("worker"));
        assertThat(at(services, "user").get("command")).isEqualTo(List.of("hub"));
        assertThat(at(services, "slurmctld").get("image")).isEqualTo("reg:5000/cfiddle-cluster/cluster:1.0");
        assertThat(at(services, "user").get("image")).isEqualTo("reg:5000/cfiddle-cluster/user:1.0");
        assertThat(at(services, "slurmdbd").get("hostname")).isEqualTo("slurmdbd");
        assertThat(at(services, "slurmctld").get("hostname")).isEqualTo("slurmctld");
        assertThat(at(services, "user").get("hostname")).isEqualTo("usernode");
    }

    @Test
    void mungeKeyIsOwnedByMungeAndPrivateWherever() {
        Map<String, Object> services = at(rendered(settings().build()), "services");
        for (String name : List.of("slurmdbd", "slurmctld", "worker", "user", "dashboard")) {
            assertThat(list(at(services, name), "secrets")).as(name)
                    .contains(Map.of("source", "munge_key", "target", "/run/secrets/munge.key", "uid", "990", "gid", "990",
                            "mode", 0400));
        }
        assertThat(list(at(services, "db"), "secrets")).extracting(s -> s.get("source")).containsExactly("db_password");
        assertThat(list(at(services, "user"), "secrets")).extracting(s -> s.get("source")).containsExactly("munge_key", "dashboard_oauth");
        assertThat(list(at(services, "dashboard"), "secrets")).extracting(s -> s.get("source")).containsExactly("munge_key", "dashboard_oauth");
        assertThat(list(at(services, "dashboard"), "secrets")).as("the OAuth secret, root's only (the entrypoint hands it on)")
                .contains(Map.of("source", "dashboard_oauth", "target", "/run/secrets/dashboard_oauth", "mode", 0400));
    }

    @Test
    void passwordsAreASecretOfTheUserNodeOnlyReadableByRoot() {
        Map<String, Object> stack = rendered(settings().passwordsSecretName("cfiddle_passwords_0123abcd").build());
        assertThat(at(stack, "secrets", "passwords")).containsEntry("external", true)
                .containsEntry("name", "cfiddle_passwords_0123abcd");
        assertThat(list(at(stack, "services", "user"), "secrets"))
                .contains(Map.of("source", "passwords", "target", "/run/secrets/passwords", "mode", 0400));
        for (String name : List.of("db", "slurmdbd", "slurmctld", "worker")) {
            assertThat(list(at(stack, "services", name), "secrets")).as(name)
                    .extracting(s -> s.get("source")).doesNotContain("passwords");
        }
    }

    @Test
    void withoutPasswordsNoPasswordsSecret() {
        assertThat(at(rendered(settings().build()), "secrets")).doesNotContainKey("passwords");
    }

    @Test
    void theHubKeepsItsStateInAVolume() {
        Map<String, Object> stack = rendered(settings().build());
        assertThat(at(stack, "services", "user").get("volumes")).asList().contains("hub-data:/var/lib/jupyterhub");
        assertThat(at(stack, "volumes")).containsKey("hub-data");
    }

    @Test
    void theUserNodeHasTheHostsCgroupsButNeitherMountsNorDeviceNodes() {
        Map<String, Object> user = at(rendered(settings().build()), "services", "user");
        assertThat(list(user, "volumes")).contains(
                Map.of("type", "bind", "source", "/sys/fs/cgroup", "target", StackNames.USER_NODE_HOST_CGROUP));
        assertThat(user.get("cap_add")).isEqualTo(List.of("NET_ADMIN"));
        assertThat(user.get("cap_drop")).isEqualTo(List.of("MKNOD"));
    }

    @Test
    void secretsAreExternalAndNamedAfterTheStack() {
        Map<String, Object> stack = rendered(StackSettings.builder("lab").clusterImage("c", "").userImage("u", "")
                .sandboxImage("s").dashboardImage("d", "").build());
        for (String secret : StackNames.SECRETS) {
            assertThat(at(stack, "secrets", secret)).containsEntry("external", true)
                    .containsEntry("name", StackNames.secretName("lab", secret));
        }
    }

    @Test
    void byDefaultOneWorkerPerLabelledNode() {
        Map<String, Object> worker = at(rendered(settings().build()), "services", "worker");
        assertThat(at(worker, "deploy")).containsEntry("mode", "global").doesNotContainKey("replicas");
        assertThat(at(worker, "deploy", "placement").get("constraints"))
                .isEqualTo(List.of("node.labels.cfiddle.worker == true"));
        assertThat(worker.get("hostname")).isEqualTo("{{.Node.Hostname}}-worker");
        assertThat(list(worker, "volumes")).contains(
                Map.of("type", "bind", "source", "/var/run/docker.sock", "target", "/var/run/docker.sock"));
        assertThat(at(worker, "environment")).containsEntry("CFIDDLE_SANDBOX_IMAGE", "reg:5000/cfiddle-cluster/sandbox:1.0")
                .containsEntry("CFIDDLE_SANDBOX_MEMORY", "1g").containsEntry("CFIDDLE_SANDBOX_PIDS", "256");
    }

    @Test
    void aWorkerCountMeansReplicasWithSlotHostnames() {
        Map<String, Object> worker = at(rendered(settings().cluster(ClusterSettings.builder().workers(3).build()).build()), "services", "worker");
        assertThat(at(worker, "deploy")).containsEntry("mode", "replicated").containsEntry("replicas", 3);
        assertThat(worker.get("hostname")).isEqualTo("worker-{{.Task.Slot}}");
    }

    @Test
    void headServicesArePinnedToTheHeadNode() {
        Map<String, Object> services = at(rendered(settings().build()), "services");
        for (String name : List.of("db", "slurmdbd", "slurmctld", "dashboard")) {
            assertThat(at(services, name, "deploy", "placement").get("constraints")).as(name)
                    .isEqualTo(List.of("node.labels.cfiddle.head == true"));
        }
        assertThat(at(services, "user", "deploy", "placement").get("constraints")).as("the user node, where the admin says")
                .isEqualTo(List.of("node.labels.cfiddle.user == true"));
    }

    @Test
    void theNotebookPortIsPublishedInHostMode() {
        Map<String, Object> user = at(rendered(settings().cluster(ClusterSettings.builder().jupyterPort(9999).build()).build()), "services", "user");
        assertThat(list(user, "ports")).containsExactly(
                Map.of("target", 8888, "published", 9999, "protocol", "tcp", "mode", "host"));
    }

    @Test
    void theHubsHostNameAndPublicPortReachTheUserNode() {
        Map<String, Object> user = at(rendered(settings().cluster(ClusterSettings.builder().jupyterPort(9999)
                .hubHost("hub.example.edu").build()).build()), "services", "user");
        assertThat(at(user, "environment")).containsEntry("CFIDDLE_HUB_HOST", "hub.example.edu")
                .containsEntry("CFIDDLE_HUB_PUBLIC_PORT", "9999");
        assertThat(at(rendered(settings().build()), "services", "user", "environment")).containsEntry("CFIDDLE_HUB_HOST", "localhost");
    }

    @Test
    void settingsReachTheEnvironment() {
        Map<String, Object> services = at(rendered(settings().cluster(ClusterSettings.builder().defaultTime("10").maxTime("60").timeLimit("7")
                .sandboxMemory("512m").sandboxPids(64).build()).build()),
                "services");
        assertThat(at(services, "slurmctld", "environment")).containsEntry("SLURM_DEFAULT_TIME", "10")
                .containsEntry("SLURM_MAX_TIME", "60");
        assertThat(at(services, "user", "environment")).containsEntry("CFIDDLE_TIME_LIMIT", "7");
        Map<String, Object> hub = at(rendered(settings().cluster(ClusterSettings.builder().admins("teacher,ta").idleTimeoutSeconds(90).build()).build()), "services", "user");
        assertThat(at(hub, "environment")).containsEntry("CFIDDLE_ADMINS", "teacher,ta").containsEntry("CFIDDLE_IDLE_TIMEOUT", "90");
        assertThat(at(services, "worker", "environment")).containsEntry("CFIDDLE_SANDBOX_MEMORY", "512m")
                .containsEntry("CFIDDLE_SANDBOX_PIDS", "64");
    }

    @Test
    void withoutAUsersFileNoConfigIsMounted() {
        Map<String, Object> stack = rendered(settings().build());
        assertThat(stack).doesNotContainKey("configs");
        assertThat(at(stack, "services", "worker")).doesNotContainKey("configs");
    }

    @Test
    void aUsersFileIsMountedOnControllerWorkersAndUserNode() {
        Map<String, Object> stack = rendered(settings().usersConfigName("cfiddle_users_0123abcd").build());
        assertThat(at(stack, "configs", "users")).containsEntry("external", true)
                .containsEntry("name", "cfiddle_users_0123abcd");
        for (String name : List.of("slurmctld", "worker", "user", "dashboard")) {
            assertThat(list(at(stack, "services", name), "configs")).as(name)
                    .containsExactly(Map.of("source", "users", "target", "/etc/cfiddle/users", "mode", 0444));
        }
        assertThat(at(stack, "services", "db")).doesNotContainKey("configs");
    }

    @Test
    void everyServiceIsReadyByTheImagesOwnHealthcheckAndNothingIsLeftToInterpolate() {
        String text = renderer.render(settings().build());
        assertThat(text).doesNotContain("${").doesNotContain("$$");
        Map<String, Object> services = at(rendered(settings().build()), "services");
        for (String name : StackNames.SERVICES) {
            assertThat(at(services, name, "healthcheck").get("test")).as(name)
                    .isEqualTo(List.of("CMD", "/usr/local/lib/cfiddle-cluster/healthcheck"));
        }
    }

    @Test
    void theSameSettingsRenderTheSameText() {
        assertThat(renderer.render(settings().usersConfigName("x").build()))
                .isEqualTo(renderer.render(settings().usersConfigName("x").build()));
    }

    @Test
    void everySettingReachesTheNodesUnderItsOwnNameAndTheTemplateHasNoDefaultsOfItsOwn() {
        assertThatThrownBy(() -> ComposeInterpolation.interpolate(StackRenderer.readTemplate(), Map.of()))
                .hasMessageContaining("has no value and no default");
        Map<String, String> settings = ClusterSettings.builder().timeLimit("3").admins("teacher").build().environment();
        Map<String, Object> services = at(rendered(settings().cluster(ClusterSettings.builder().timeLimit("3")
                .admins("teacher").build()).build()), "services");
        java.util.Set<String> reached = new java.util.HashSet<>();
        for (String service : StackNames.SERVICES) {
            Map<String, Object> environment = at(services, service);
            if (!environment.containsKey("environment")) {
                continue;
            }
            at(environment, "environment").forEach((name, value) -> {
                if (settings.containsKey(name)) {
                    assertThat(value).as(service + " " + name).isEqualTo(settings.get(name));
                    reached.add(name);
                }
            });
        }
        assertThat(reached).containsExactlyInAnyOrderElementsOf(settings.keySet());
    }
}
