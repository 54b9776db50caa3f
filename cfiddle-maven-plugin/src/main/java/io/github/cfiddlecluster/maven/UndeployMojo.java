package io.github.cfiddlecluster.maven;

import io.github.cfiddlecluster.deploy.ClusterDeployer;
import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes the cfiddle cluster's stack and waits for its containers to go. Its volumes (homes, accounting database,
 * controller state) and secrets stay for the next deploy unless {@code cfiddle.purge} is set.
 */
@Mojo(name = "undeploy", aggregator = true, threadSafe = true)
public class UndeployMojo extends AbstractClusterMojo {
    /** Also removes the stack's volumes (users' homes, accounting), secrets (munge key, passwords) and users config. */
    @Parameter(property = "cfiddle.purge", defaultValue = "false")
    private boolean purge;

    @Override
    protected DeployConfig.Builder config() {
        return DeployConfig.builder().purge(purge);
    }

    @Override
    protected void run(ClusterDeployer deployer, DeployConfig config) throws DeployException {
        deployer.undeploy(config);
    }
}
