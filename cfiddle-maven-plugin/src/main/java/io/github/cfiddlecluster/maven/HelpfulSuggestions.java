package io.github.cfiddlecluster.maven;

import io.github.cfiddlecluster.deploy.DeployConfig;
import io.github.cfiddlecluster.deploy.DeployException;
import io.github.cfiddlecluster.stack.StackNames;

/** Turns the core's typed failures into sentences that say what to do, in terms of this plugin's properties. */
final class HelpfulSuggestions {
    private HelpfulSuggestions() {}

    static String forFailure(DeployException e, DeployConfig config) {
        String stack = config.stackName();
        if (e instanceof DeployException.EngineUnreachable) {
            return e.getMessage() + ". Start Docker (as root: scripts/start-docker-engine.sh), or point -Dcfiddle.dockerHost"
                    + " (or DOCKER_HOST) at a swarm manager's engine.";
        }
        if (e instanceof DeployException.NotSwarmManager) {
            return ((DeployException.NotSwarmManager) e).inSwarm()
                    ? e.getMessage() + ". Run the goal against a manager (-Dcfiddle.dockerHost=tcp://<manager>:2376), or promote"
                            + " this node: docker node promote <node>."
                    : e.getMessage() + ". For a single-host cluster run again with -Dcfiddle.initSwarm=true (runs docker swarm"
                            + " init); for several hosts, docker swarm init on the head and docker swarm join on each worker host.";
        }
        if (e instanceof DeployException.MissingImages) {
            return e.getMessage() + ". Build them first: ./mvnw install -pl base-image,sandbox-image,cluster-image,user-image"
                    + " (a separate call before cfiddle:deploy), or set -Dcfiddle.image.prefix / -Dcfiddle.image.tag to the"
                    + " images you have.";
        }
        if (e instanceof DeployException.NoWorkerNode) {
            return e.getMessage() + ". Label the nodes that should run experiments: docker node update --label-add "
                    + StackNames.WORKER_LABEL + "=true <node>.";
        }
        if (e instanceof DeployException.PortInUse) {
            return e.getMessage() + ". Stop it, or publish the notebook on another port: -Dcfiddle.port=<port>.";
        }
        if (e instanceof DeployException.NameClash) {
            return e.getMessage() + ". Remove it, or deploy under another name: -Dcfiddle.stackName=<name>.";
        }
        if (e instanceof DeployException.InvalidConfiguration) {
            return "invalid cfiddle configuration:\n  - "
                    + String.join("\n  - ", ((DeployException.InvalidConfiguration) e).problems());
        }
        if (e instanceof DeployException.NotReadyInTime) {
            DeployException.NotReadyInTime t = (DeployException.NotReadyInTime) e;
            StringBuilder s = new StringBuilder(e.getMessage());
            s.append("\nLast log lines of ").append(StackNames.serviceName(stack, t.service())).append(":");
            t.logTail().forEach(line -> s.append("\n  ").append(line));
            s.append("\nThe stack stays deployed. Look closer with ./mvnw cfiddle:status and docker service ps --no-trunc ")
                    .append(StackNames.serviceName(stack, t.service()))
                    .append("; wait longer with -Dcfiddle.timeout=<seconds>; remove it with ./mvnw cfiddle:undeploy.");
            return s.toString();
        }
        if (e instanceof DeployException.DockerCommandFailed) {
            return ((DeployException.DockerCommandFailed) e).cliMissing()
                    ? e.getMessage() + ". Install the docker command-line client and put it on the PATH of the Maven process."
                    : e.getMessage();
        }
        return e.getMessage();
    }
}
