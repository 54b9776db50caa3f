package io.github.cfiddlecluster.deploy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Deploys, removes and inspects a cfiddle cluster stack: the entry point for front ends (the Maven plugin, tests).
 * Knows nothing of Maven: give it a {@link DeployConfig}, a {@link SwarmEngine} and a {@link DeployLog}. Typed
 * {@link DeployException}s say what went wrong; a deploy that fails a preflight check has created nothing.
 */
public final class ClusterDeployer {
    /** What a successful deploy reports. */
    public record DeployResult(Duration elapsed, List<String> workers, Path stackFile, String hubUrl,
            List<String> createdSecrets) {}

    private final SwarmEngine engine;
    private final Deployment deployment;
    private final Undeployment undeployment;
    private final ClusterStatus status;

    public ClusterDeployer(SwarmEngine engine, DeployLog log) {
        this(engine, log, new ClusterSecrets(), Clock.systemUTC(), ReadinessWaiter.Sleeper.REAL);
    }

    public ClusterDeployer(SwarmEngine engine, DeployLog log, ClusterSecrets secrets, Clock clock,
            ReadinessWaiter.Sleeper sleeper) {
        this.engine = engine;
        this.deployment = new Deployment(engine, log, secrets, clock, sleeper);
        this.undeployment = new Undeployment(engine, log, clock, sleeper);
        this.status = new ClusterStatus(engine, clock);
    }

    /** Deploys (or updates) the stack and waits until every service runs and every worker is idle in Slurm. */
    public DeployResult deploy(DeployConfig config) throws DeployException {
        return deployment.deploy(config);
    }

    /** Removes the stack; keeps its volumes and secrets unless {@link DeployConfig#purge()}. */
    public void undeploy(DeployConfig config) throws DeployException {
        undeployment.undeploy(config);
    }

    /** Lines describing the swarm nodes with their Slurm state, the services, the queue and recent jobs. */
    public List<String> status(DeployConfig config) throws DeployException {
        return status.describe(config);
    }

    /**
     * Runs a command in the running task container of one of the stack's services on this engine, e.g. an
     * experiment on the user node: {@code exec(config, "user", List.of("python3", "-c", code), "student", "/home/student")}.
     */
    public SwarmEngine.ExecResult exec(DeployConfig config, String service, List<String> command, String user,
            String workingDir) throws DeployException {
        return new StackProbe(engine, config.stackName(), engine.info().nodeId(), true)
                .serviceExec(service, command, user, workingDir);
    }
}
