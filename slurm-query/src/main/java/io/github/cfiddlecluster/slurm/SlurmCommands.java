package io.github.cfiddlecluster.slurm;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a Slurm command (sinfo, squeue, sacct, scontrol) is run: on this host, in a container through the docker
 * CLI, or by whatever the caller already has (docker-java, Testcontainers) as a lambda.
 */
@FunctionalInterface
public interface SlurmCommands {
    /** Default deadline of one command: Slurm answers in well under a second, or its controller is unreachable. */
    Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * Runs the command and returns how it ended (a non-zero exit is a result, not an exception).
     *
     * @throws SlurmQueryException when it could not be run at all, or did not end in time
     */
    CommandRunner.Result run(List<String> command) throws SlurmQueryException;

    /** The commands on this host (a node of the cluster, e.g. the controller itself). */
    static SlurmCommands local() {
        return command -> runProcess(command, Map.of());
    }

    /** The commands in a running container of this host's engine, as root: {@code docker exec CONTAINER ...}. */
    static SlurmCommands dockerExec(String container) {
        return dockerExec(container, Map.of());
    }

    /**
     * @param environment for the docker CLI, e.g. {@code DOCKER_HOST}
     */
    static SlurmCommands dockerExec(String container, Map<String, String> environment) {
        return command -> {
            List<String> docker = new ArrayList<>(List.of("docker", "exec", "--user", "root", container));
            docker.addAll(command);
            return runProcess(docker, environment);
        };
    }

    private static CommandRunner.Result runProcess(List<String> command, Map<String, String> environment)
            throws SlurmQueryException {
        try {
            return CommandRunner.run(command, environment, TIMEOUT);
        } catch (IOException e) {
            throw new SlurmQueryException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (CommandRunner.TimedOut e) {
            throw new SlurmQueryException(String.join(" ", command) + " did not finish in " + TIMEOUT.toSeconds() + " s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlurmQueryException("interrupted while running " + command.get(0), e);
        }
    }
}
