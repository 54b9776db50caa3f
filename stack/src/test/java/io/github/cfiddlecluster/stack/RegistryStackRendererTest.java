package io.github.cfiddlecluster.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class RegistryStackRendererTest {
    private final Map<String, Object> stack = new Yaml().load(
            new RegistryStackRenderer().render("cfiddle", "cfiddle-cluster/registry:1.0", 5000, 5001));

    @SuppressWarnings("unchecked")
    private Map<String, Object> service(String name) {
        return (Map<String, Object>) ((Map<String, Object>) stack.get("services")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String key : path) {
            o = ((Map<String, Object>) o).get(key);
        }
        return o;
    }

    @Test
    void pushesAreAcceptedOnTheHeadsLoopbackOnlyAndPullsEverywhereReadOnly() {
        assertThat(service(StackNames.REGISTRY).get("command")).isEqualTo(List.of("writable"));
        assertThat(at(service(StackNames.REGISTRY), "environment", "REGISTRY_HTTP_ADDR")).isEqualTo("127.0.0.1:5001");
        assertThat(service(StackNames.REGISTRY_MIRROR).get("command")).isEqualTo(List.of("read-only"));
        assertThat(at(service(StackNames.REGISTRY_MIRROR), "environment", "REGISTRY_HTTP_ADDR")).isEqualTo(":5000");
    }

    @Test
    void bothHaveTheirProcessLimit() {
        for (String name : StackNames.REGISTRY_SERVICES) {
            assertThat(at(service(name), "deploy", "resources", "limits", "pids")).as(name)
                    .isEqualTo(ServiceLimits.pids(name, ClusterSettings.defaults()));
        }
    }

    @Test
    void bothRunOnTheHeadNodeInItsNetworkNamespaceOnOneStorage() {
        for (String name : StackNames.REGISTRY_SERVICES) {
            Map<String, Object> service = service(name);
            assertThat(service.get("image")).isEqualTo("cfiddle-cluster/registry:1.0");
            assertThat(at(service, "deploy", "placement", "constraints")).isEqualTo(List.of("node.labels.cfiddle.head == true"));
            assertThat(service.get("networks")).isEqualTo(List.of("outside"));
            assertThat(service.get("volumes")).isEqualTo(List.of("data:/var/lib/docker-registry"));
            assertThat(service).doesNotContainKey("ports");
        }
        assertThat(at(stack, "networks", "outside", "name")).isEqualTo("host");
    }

    @Test
    void itsStackIsNamedAfterTheClustersOwn() {
        assertThat(StackNames.registryStackName("course")).isEqualTo("course-registry");
    }
}
