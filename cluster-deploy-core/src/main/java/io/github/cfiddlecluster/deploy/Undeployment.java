package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.StackNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Removes a stack, waiting until its containers are gone; its volumes and secrets only when purging. */
final class Undeployment {
    private final SwarmEngine engine;
    private final DeployLog log;
    private final Clock clock;
    private final ReadinessWaiter.Sleeper sleeper;

    Undeployment(SwarmEngine engine, DeployLog log, Clock clock, ReadinessWaiter.Sleeper sleeper) {
        this.engine = engine;
        this.log = log;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    void undeploy(DeployConfig config) throws DeployException {
        String stack = config.stackName();
        Preflight.requireManager(engine);
        List<SwarmEngine.ServiceInfo> services = StackProbe.stackServices(engine, stack);
        if (services.isEmpty()) {
            log.info("stack " + stack + " is not deployed");
        } else {
            log.info("removing stack " + stack + " (" + services.size() + " services)");
            engine.removeStack(stack);
            awaitGone(stack, config.timeout());
        }
        new ClusterRegistry(engine, log, clock, sleeper).remove(config);
        StackResources resources = new StackResources(engine, log, null);
        List<String> volumes = engine.volumes(StackNames.STACK_NAMESPACE_LABEL, stack);
        List<String> secrets = resources.secretsOf(stack);
        if (config.purge()) {
            for (String v : volumes) {
                if (engine.removeVolume(v)) {
                    log.info("removed volume " + v);
                } else {
                    log.warn("volume " + v + " is still in use; not removed");
                }
            }
            for (String s : secrets) {
                engine.removeSecret(s);
                log.info("removed secret " + s);
            }
            for (String c : resources.configsOf(stack)) {
                engine.removeConfig(c);
                log.info("removed config " + c);
            }
        } else if (!volumes.isEmpty() || !secrets.isEmpty()) {
            log.info("kept for the next deploy: volumes " + (volumes.isEmpty() ? "(none)" : String.join(", ", volumes))
                    + "; secrets " + (secrets.isEmpty() ? "(none)" : String.join(", ", secrets))
                    + " (purging removes them: homes, accounting and the keys are then lost)");
        }
    }

    /** docker stack rm returns at once; volumes and the network can go only once the containers have. */
    private void awaitGone(String stack, Duration timeout) throws DeployException {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            int containers = engine.containers(StackNames.STACK_NAMESPACE_LABEL, stack).size();
            boolean network = engine.networks().containsKey(stack + "_" + StackNames.NETWORK);
            if (containers == 0 && !network) {
                log.info("stack " + stack + " removed");
                return;
            }
            if (!clock.instant().isBefore(deadline)) {
                log.warn("after " + timeout.toSeconds() + " s, " + containers + " containers of stack " + stack
                        + (network ? " and its network" : "") + " remain; they will go shortly");
                return;
            }
            try {
                sleeper.sleep(Deployment.POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeployException("interrupted", e);
            }
        }
    }
}
