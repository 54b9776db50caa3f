package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.RegistryStackRenderer;
import io.github.cfiddlecluster.stack.StackNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The registry a multi-host cluster brings ({@code cfiddle.clusterRegistry}): its own stack on the head node (see
 * {@code cfiddle-registry-stack.yml}), which the deploy starts, waits for and fills through the head node's engine,
 * so that every host pulls the cluster's images, the sandbox included, from the head. The stack then names each
 * image by its digest in the registry: a host runs exactly what was pushed.
 */
final class ClusterRegistry {
    /** The registry image's role: built like the others, {@code <prefix>/registry:<tag>}. */
    static final String IMAGE_ROLE = "registry";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final SwarmEngine engine;
    private final DeployLog log;
    private final Clock clock;
    private final ReadinessWaiter.Sleeper sleeper;

    ClusterRegistry(SwarmEngine engine, DeployLog log, Clock clock, ReadinessWaiter.Sleeper sleeper) {
        this.engine = engine;
        this.log = log;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Where every host pulls from: the head node's swarm address and the registry's port. */
    static String pullAddress(SwarmEngine.NodeInfo head, DeployConfig config) throws DeployException {
        if (head.address() == null || head.address().isBlank() || head.address().equals("0.0.0.0")) {
            throw new DeployException.InvalidConfiguration(List.of("the head node " + head.hostname()
                    + " has no address in the swarm, so the other hosts cannot reach the cluster's registry on it"));
        }
        return head.address() + ":" + config.clusterRegistryPort();
    }

    /**
     * Starts the registry on the head node (this engine's node), pushes the images of {@code roles} to it and returns
     * how the stack names them: {@code HEAD:PORT/PREFIX/ROLE@sha256:...} by role.
     */
    Map<String, String> distribute(DeployConfig config, SwarmEngine.NodeInfo head, List<String> roles)
            throws DeployException {
        String pullAddress = pullAddress(head, config);
        String stack = StackNames.registryStackName(config.stackName());
        Path file = config.outputDirectory().resolve(stack + "-stack.yml");
        String text = new RegistryStackRenderer().render(stack, config.localImage(IMAGE_ROLE),
                config.clusterRegistryPort(), config.clusterRegistryPort() + 1);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeployException.InvalidConfiguration(List.of("cannot write the stack file " + file + ": " + e));
        }
        Instant start = clock.instant();
        log.info("starting the cluster's registry on " + head.hostname() + " (stack " + stack + "; hosts pull from "
                + pullAddress + ")");
        engine.deployStack(file, stack, false);
        awaitRunning(stack, config.timeout());

        String pushAddress = "127.0.0.1:" + (config.clusterRegistryPort() + 1);
        Map<String, String> stackImages = new LinkedHashMap<>();
        Instant pushStart = clock.instant();
        for (String role : roles) {
            String image = config.localImage(role);
            String repository = image.substring(0, image.lastIndexOf(':'));
            String digest = engine.push(image, pushAddress + "/" + image);
            stackImages.put(role, pullAddress + "/" + repository + "@" + digest);
            log.info("pushed " + image + " to the cluster's registry (" + digest + ")");
        }
        log.info(String.format("the cluster's registry was ready after %.1f s and took the %d images in %.1f s",
                Duration.between(start, pushStart).toMillis() / 1000.0, roles.size(),
                Duration.between(pushStart, clock.instant()).toMillis() / 1000.0));
        return stackImages;
    }

    /** Removes the registry's stack if there is one; with {@code purge}, its storage too. */
    void remove(DeployConfig config) throws DeployException {
        String stack = StackNames.registryStackName(config.stackName());
        boolean deployed = engine.services().stream()
                .anyMatch(s -> stack.equals(s.labels().get(StackNames.STACK_NAMESPACE_LABEL)));
        if (deployed) {
            log.info("removing the cluster's registry (stack " + stack + ")");
            engine.removeStack(stack);
            awaitGone(stack, config.timeout());
        }
        if (config.purge()) {
            for (String volume : engine.volumes(StackNames.STACK_NAMESPACE_LABEL, stack)) {
                log.info(engine.removeVolume(volume) ? "removed volume " + volume
                        : "volume " + volume + " is still in use; not removed");
            }
        }
    }

    private void awaitRunning(String stack, Duration timeout) throws DeployException {
        Instant deadline = clock.instant().plus(timeout);
        String waitingFor = "";
        while (clock.instant().isBefore(deadline)) {
            List<SwarmEngine.ServiceInfo> services = engine.services().stream()
                    .filter(s -> stack.equals(s.labels().get(StackNames.STACK_NAMESPACE_LABEL)))
                    .collect(Collectors.toList());
            waitingFor = "";
            for (SwarmEngine.ServiceInfo service : services) {
                List<SwarmEngine.TaskInfo> tasks = engine.tasks(service);
                // A task with a healthcheck is running once healthy: the registry answers.
                if (tasks.stream().noneMatch(t -> t.wanted() && t.running() && t.upToDate())) {
                    waitingFor += " " + service.name() + tasks.stream().filter(t -> t.error() != null && !t.error().isBlank())
                            .map(t -> " (" + t.error() + ")").findFirst().orElse("");
                }
            }
            if (services.size() == StackNames.REGISTRY_SERVICES.size() && waitingFor.isEmpty()) {
                return;
            }
            pause();
        }
        throw new DeployException.NotReadyInTime("the cluster's registry was not running after " + timeout.toSeconds()
                + " s: waiting for" + waitingFor, StackNames.REGISTRY,
                engine.serviceLogTail(StackNames.serviceName(stack, StackNames.REGISTRY), Deployment.LOG_TAIL_LINES));
    }

    private void awaitGone(String stack, Duration timeout) throws DeployException {
        Instant deadline = clock.instant().plus(timeout);
        while (!engine.containers(StackNames.STACK_NAMESPACE_LABEL, stack).isEmpty()) {
            if (!clock.instant().isBefore(deadline)) {
                log.warn("the cluster's registry containers remain after " + timeout.toSeconds() + " s; they will go shortly");
                return;
            }
            pause();
        }
    }

    private void pause() throws DeployException {
        try {
            sleeper.sleep(POLL_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted", e);
        }
    }
}
