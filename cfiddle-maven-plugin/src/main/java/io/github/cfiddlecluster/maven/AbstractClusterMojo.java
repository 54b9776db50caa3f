package io.github.cfiddlecluster.maven;

import io.github.cfiddlecluster.deploy.ClusterDeployer;
import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import io.github.cfiddlecluster.deploy.DeployLog;
import io.github.cfiddlecluster.deploy.DockerJavaEngine;
import java.time.Duration;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.Parameter;

/** What every goal shares: the stack's name, the engine, the deadline, the skip flag, and the error mapping. */
abstract class AbstractClusterMojo extends AbstractMojo {
    /** Name of the Docker stack; its services are called STACKNAME_db, STACKNAME_worker, and so on. */
    @Parameter(property = "cfiddle.stackName", defaultValue = DeployConfig.DEFAULT_STACK)
    protected String stackName;

    /**
     * Docker engine to talk to (a swarm manager), e.g. {@code unix:///var/run/docker.sock} or {@code tcp://host:2376}.
     * Empty: the {@code DOCKER_HOST} environment variable, else the local socket.
     */
    @Parameter(property = "cfiddle.dockerHost")
    protected String dockerHost;

    /**
     * Seconds to wait: for the cluster to become ready (deploy) or for its containers to go (undeploy); unused by
     * status. Default: 300.
     */
    @Parameter(property = "cfiddle.timeout")
    protected Integer timeout;

    /** Skips the goal. */
    @Parameter(property = "cfiddle.skip", defaultValue = "false")
    protected boolean skip;

    @Override
    public final void execute() throws MojoFailureException {
        if (skip) {
            getLog().info("cfiddle: skipped (cfiddle.skip)");
            return;
        }
        DeployConfig config = config().stackName(stackName).dockerHost(dockerHost).timeout(timeout == null ? null : Duration.ofSeconds(timeout))
                .build();
        DeployLog log = new MavenDeployLog(getLog());
        try (DockerJavaEngine engine = DockerJavaEngine.connect(config.dockerHost(), log)
                .withRegistryLogin(config.registryLogin())) {
            run(new ClusterDeployer(engine, log), config);
        } catch (DeployException e) {
            getLog().debug(e);
            // No cause: Maven would repeat its message after ours.
            throw new MojoFailureException(HelpfulSuggestions.forFailure(e, config));
        }
    }

    /** The goal's own settings (the shared ones are added by {@link #execute()}). */
    protected DeployConfig.Builder config() {
        return DeployConfig.builder();
    }

    protected abstract void run(ClusterDeployer deployer, DeployConfig config) throws DeployException;

    private static final class MavenDeployLog implements DeployLog {
        private final Log log;

        MavenDeployLog(Log log) {
            this.log = log;
        }

        @Override public void info(String message) { log.info(message); }
        @Override public void warn(String message) { log.warn(message); }
        @Override public void debug(String message) { log.debug(message); }
    }
}
