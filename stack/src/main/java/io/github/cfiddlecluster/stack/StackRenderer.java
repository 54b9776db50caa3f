package io.github.cfiddlecluster.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Renders the stack template ({@value #TEMPLATE_RESOURCE}) for one deployment: substitutes its variables, then
 * applies what a variable cannot express: the single-host worker count (replicated mode), the users config and
 * the passwords secret.
 * The same settings always give the same text, so a redeploy with nothing changed changes nothing.
 */
public final class StackRenderer {
    public static final String TEMPLATE_RESOURCE = "cfiddle-stack.yml";
    private static final int USERS_FILE_MODE = 0444;
    private static final int PASSWORDS_FILE_MODE = 0400;

    private final String template;

    public StackRenderer() {
        this(readTemplate());
    }

    /** A renderer of another template (tests). */
    public StackRenderer(String template) {
        this.template = template;
    }

    /** The template as it is in the repository. */
    public static String readTemplate() {
        try (InputStream in = StackRenderer.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE_RESOURCE + " is missing from the stack jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String render(StackSettings settings) {
        Map<String, Object> stack = model(settings);
        return "# Rendered by cfiddle-cluster from " + TEMPLATE_RESOURCE + " for stack '" + settings.stackName()
                + "'. Do not edit: edit the template or the deploy settings.\n" + yaml().dump(stack);
    }

    /** The rendered stack as a YAML tree (maps, lists, strings, numbers). */
    public Map<String, Object> model(StackSettings settings) {
        String text = ComposeInterpolation.interpolate(template, settings.variables());
        Map<String, Object> stack = yaml().load(text);
        Map<String, Object> services = map(stack, "services");

        if (settings.workers() > 0) {
            Map<String, Object> worker = map(services, StackNames.WORKER);
            Map<String, Object> deploy = map(worker, "deploy");
            deploy.put("mode", "replicated");
            deploy.put("replicas", settings.workers());
            worker.put("hostname", "worker-{{.Task.Slot}}");
        }

        if (settings.usersConfigName() != null) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("external", true);
            config.put("name", settings.usersConfigName());
            Map<String, Object> configs = new LinkedHashMap<>();
            configs.put(StackNames.USERS_CONFIG, config);
            stack.put("configs", configs);
            for (String service : List.of(StackNames.CONTROLLER, StackNames.WORKER, StackNames.USER, StackNames.DASHBOARD)) {
                Map<String, Object> mount = new LinkedHashMap<>();
                mount.put("source", StackNames.USERS_CONFIG);
                mount.put("target", StackNames.USERS_FILE_TARGET);
                mount.put("mode", USERS_FILE_MODE);
                List<Object> mounts = new ArrayList<>();
                mounts.add(mount);
                map(services, service).put("configs", mounts);
            }
        }
        if (settings.passwordsSecretName() != null) {
            Map<String, Object> secret = new LinkedHashMap<>();
            secret.put("external", true);
            secret.put("name", settings.passwordsSecretName());
            map(stack, "secrets").put(StackNames.PASSWORDS_SECRET, secret);
            Map<String, Object> mount = new LinkedHashMap<>();
            mount.put("source", StackNames.PASSWORDS_SECRET);
            mount.put("target", StackNames.PASSWORDS_FILE_TARGET);
            mount.put("mode", PASSWORDS_FILE_MODE);
            list(map(services, StackNames.USER), "secrets").add(mount);
        }
        return stack;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> parent, String key) {
        Object child = parent.get(key);
        if (!(child instanceof List)) {
            throw new IllegalStateException("the stack template has no list '" + key + "'");
        }
        return (List<Object>) child;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object child = parent.get(key);
        if (!(child instanceof Map)) {
            throw new IllegalStateException("the stack template has no mapping '" + key + "'");
        }
        return (Map<String, Object>) child;
    }

    private static Yaml yaml() {
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dump.setIndent(2);
        dump.setIndicatorIndent(0);
        dump.setWidth(120);
        dump.setDereferenceAliases(true);
        LoaderOptions load = new LoaderOptions();
        return new Yaml(new SafeConstructor(load), new Representer(dump), dump, load);
    }
}
