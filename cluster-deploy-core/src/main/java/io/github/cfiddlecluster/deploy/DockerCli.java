package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What only the docker command-line client does: {@code stack deploy} and {@code stack rm} (client-side
 * features with no engine API), {@code push} (with the CLI's registry credentials) and {@code secret create}
 * (bytes from stdin, exactly as given). Each call has a deadline.
 */
final class DockerCli {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final String dockerHost;
    private final DeployLog log;
    private RegistryLogin registryLogin;

    DockerCli(String dockerHost, DeployLog log) {
        this.dockerHost = dockerHost;
        this.log = log;
    }

    /** Registry credentials (a private docker configuration) for every later command, or null: the CLI's own. */
    void registryLogin(RegistryLogin login) {
        this.registryLogin = login;
    }

    void push(String image) throws DeployException {
        run(List.of("push", image), null, "docker push " + image);
    }

    void deployStack(Path composeFile, String stackName, boolean resolveImages) throws DeployException {
        List<String> args = new ArrayList<>(List.of("stack", "deploy", "--compose-file", composeFile.toString(),
                "--prune", "--resolve-image", resolveImages ? "always" : "never"));
        if (resolveImages) {
            args.add("--with-registry-auth");
        }
        args.add(stackName);
        run(args, null, "docker stack deploy");
    }

    void removeStack(String stackName) throws DeployException {
        run(List.of("stack", "rm", stackName), null, "docker stack rm");
    }

    /** The value goes through stdin: it is in no command line, file or log. */
    void createSecret(String name, byte[] value, Map<String, String> labels) throws DeployException {
        List<String> args = new ArrayList<>(List.of("secret", "create"));
        labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
        args.addAll(List.of(name, "-"));
        run(args, value, "docker secret create " + name);
    }

    private String run(List<String> args, byte[] input, String what) throws DeployException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(args);
        log.debug("running " + String.join(" ", command));
        Map<String, String> environment = new HashMap<>(Map.of("DOCKER_HOST", dockerHost));
        if (registryLogin != null) {
            try {
                environment.put("DOCKER_CONFIG", registryLogin.dockerConfigDirectory().toString());
            } catch (IOException e) {
                throw new DeployException.DockerCommandFailed("cannot write the registry credentials (a private docker"
                        + " configuration in the temporary directory) for " + what + ": " + e.getMessage(), "", false);
            }
        }
        CommandRunner.Result result;
        try {
            result = CommandRunner.run(command, environment, input, TIMEOUT);
        } catch (IOException e) {
            throw new DeployException.DockerCommandFailed("the docker command-line client is needed for " + what
                    + " but could not be run: " + e.getMessage(), "", true);
        } catch (CommandRunner.TimedOut e) {
            throw new DeployException.DockerCommandFailed(what + " did not finish in " + TIMEOUT.toMinutes() + " min",
                    e.output(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted", e);
        }
        String output = result.output();
        output.lines().forEach(line -> log.debug("  " + line));
        if (!result.ok()) {
            String essential = output.lines().filter(l -> !l.contains("--detach")).collect(Collectors.joining("\n"));
            throw new DeployException.DockerCommandFailed(what + " failed (exit code " + result.exitCode() + "):\n"
                    + essential.strip(), output, false);
        }
        return output;
    }
}
