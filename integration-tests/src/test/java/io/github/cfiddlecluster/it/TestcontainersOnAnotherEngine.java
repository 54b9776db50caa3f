package io.github.cfiddlecluster.it;

import com.github.dockerjava.api.model.Version;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers on the engine DOCKER_HOST names, in a JVM of its own (Testcontainers knows one engine per JVM):
 * starts the registry image, waits for its healthcheck, runs a command in it and stops it. Prints the engine's
 * version; exits non-zero when anything failed. {@link MultiHostIT} runs it against a Docker 26.1 host.
 * Usage: TestcontainersOnAnotherEngine IMAGE
 */
public final class TestcontainersOnAnotherEngine {
    private TestcontainersOnAnotherEngine() {
    }

    public static void main(String[] args) throws Exception {
        try (GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(args[0]))
                .withLabels(TestLabels.ofThisRun()).withCommand("read-only").waitingFor(Wait.forHealthcheck())) {
            registry.start();
            ExecResult exec = registry.execInContainer("echo", "exec works");
            Version engine = DockerClientFactory.instance().client().versionCmd().exec();
            System.out.println("TESTCONTAINERS engine " + engine.getVersion() + " API " + engine.getApiVersion() + ": "
                    + exec.getStdout().strip());
            if (!exec.getStdout().contains("exec works")) {
                System.exit(1);
            }
        }
        System.exit(0);
    }
}
