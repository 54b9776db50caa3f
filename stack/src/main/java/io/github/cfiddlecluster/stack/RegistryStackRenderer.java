package io.github.cfiddlecluster.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the stack of the registry a multi-host cluster brings ({@value #TEMPLATE_RESOURCE}): the registry image
 * and the two ports. The same settings always give the same text.
 */
public final class RegistryStackRenderer {
    public static final String TEMPLATE_RESOURCE = "cfiddle-registry-stack.yml";

    /**
     * @param registryImage the registry image on the head node's engine
     * @param port where every host pulls from (read-only, all the head's addresses)
     * @param pushPort where the deploy pushes to (the head's loopback)
     */
    public String render(String stackName, String registryImage, int port, int pushPort) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("REGISTRY_IMAGE", registryImage);
        variables.put("REGISTRY_PORT", Integer.toString(port));
        variables.put("REGISTRY_PUSH_PORT", Integer.toString(pushPort));
        variables.putAll(ServiceLimits.variables(ClusterSettings.defaults()));
        return "# Rendered by cfiddle-cluster from " + TEMPLATE_RESOURCE + " for stack '" + stackName
                + "'. Do not edit.\n" + ComposeInterpolation.interpolate(template(), variables);
    }

    private static String template() {
        try (InputStream in = RegistryStackRenderer.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE_RESOURCE + " is missing from the stack jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
