package io.github.cfiddlecluster.maven;

import io.github.cfiddlecluster.deploy.ClusterDeployer;
import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Shows the cfiddle cluster: the swarm nodes with the Slurm state of their workers, the stack's services, Slurm's
 * queue (squeue) and recent jobs per user (sacct).
 */
@Mojo(name = "status", aggregator = true, threadSafe = true)
public class StatusMojo extends AbstractClusterMojo {
    @Override
    protected void run(ClusterDeployer deployer, DeployConfig config) throws DeployException {
        deployer.status(config).forEach(getLog()::info);
    }
}
