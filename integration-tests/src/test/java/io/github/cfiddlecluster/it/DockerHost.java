package io.github.cfiddlecluster.it;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * One Docker host of a multi-host test, simulated by a container running its own engine (docker-in-docker, not
 * privileged). Its engine's API is a unix socket in a directory of the build, so the test, docker-java and a child
 * Maven reach it as {@code unix://...} ({@link #dockerHost()}), across restarts of the host.
 */
final class DockerHost implements AutoCloseable {
    private static final Duration ENGINE_DEADLINE = Duration.ofMinutes(1);
    private static final Path API_SOCKETS = Path.of(System.getProperty("cfiddle.projectRoot", ".."),
            "integration-tests", "target", "docker-hosts").toAbsolutePath().normalize();

    private final String name;
    private final DockerHostImage image;
    private final Path apiDirectory;
    private final GenericContainer<?> container;
    private DockerClient engine;

    /**
     * A host on the network, named {@code name} (its hostname and its name on the network), whose engine pulls over
     * plain HTTP from the registries of {@code insecureRegistries} (CIDR or host:port).
     */
    DockerHost(String name, DockerHostImage image, Network network, String insecureRegistries) {
        this.name = name;
        this.image = image;
        this.apiDirectory = API_SOCKETS.resolve(name + "-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(apiDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        container = new GenericContainer<>(image.image)
                .withLabels(TestLabels.ofThisRun())
                .withNetwork(network).withNetworkAliases(name)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(name);
                    // What an engine in a container needs without --privileged (platform notes), and SYS_PTRACE,
                    // without which runc cannot enter a container's namespaces: no docker exec, no healthcheck.
                    cmd.getHostConfig().withCapAdd(com.github.dockerjava.api.model.Capability.SYS_ADMIN,
                                    com.github.dockerjava.api.model.Capability.NET_ADMIN,
                                    com.github.dockerjava.api.model.Capability.SYS_PTRACE)
                            .withSecurityOpts(List.of("seccomp=unconfined"))
                            .withCgroupnsMode("private");
                })
                .withFileSystemBind(apiDirectory.toString(), "/docker-api", BindMode.READ_WRITE)
                .withCommand("-H", "unix:///var/run/docker.sock", "-H", "unix:///docker-api/docker.sock",
                        "--insecure-registry", insecureRegistries)
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(ENGINE_DEADLINE));
        // The engine's state: on an anonymous volume (the image's), removed with the container.
    }

    void start() {
        container.start();
    }

    String name() {
        return name;
    }

    DockerHostImage image() {
        return image;
    }

    /** DOCKER_HOST for this host's engine. */
    String dockerHost() {
        return "unix://" + apiDirectory.resolve("docker.sock");
    }

    /** The host's address on the test network. */
    String address() {
        return DockerClientFactory.instance().client().inspectContainerCmd(container.getContainerId()).exec()
                .getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
    }

    /** docker-java on this host's engine. */
    synchronized DockerClient engine() {
        if (engine == null) {
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(dockerHost()).build();
            engine = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost()).responseTimeout(Duration.ofMinutes(10)).build());
        }
        return engine;
    }

    /** The engine's version, e.g. 26.1.5+dfsg1. */
    String engineVersion() {
        return engine().versionCmd().exec().getVersion();
    }

    /** {@code docker ARGS} on this host; its output, or an AssertionError with its error output. */
    String docker(String... args) {
        ExecResult result = dockerResult(args);
        if (result.getExitCode() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " on " + name + " exited "
                    + result.getExitCode() + ": " + result.getStderr() + result.getStdout());
        }
        return result.getStdout();
    }

    ExecResult dockerResult(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            return container.execInContainer(command.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies images from this machine's engine into this host's: {@code docker save | docker load}, by the docker CLI
     * (docker-java's load returns before the engine has finished, which then aborts, leaving some images out).
     */
    void load(List<String> images) {
        List<String> save = new ArrayList<>(List.of("docker", "save"));
        save.addAll(images);
        try {
            Process saving = new ProcessBuilder(save).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Process loading = new ProcessBuilder("docker", "--host", dockerHost(), "load", "--quiet")
                    .redirectErrorStream(true).start();
            try (InputStream tar = saving.getInputStream(); var into = loading.getOutputStream()) {
                tar.transferTo(into);
            }
            String loaded = new String(loading.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (saving.waitFor() != 0 || loading.waitFor() != 0) {
                throw new AssertionError("docker save " + images + " | docker load on " + name + " failed: " + loaded);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (String image : images) {
            engine().inspectImageCmd(image).exec(); // each one is there (NotFoundException otherwise)
        }
    }

    /** The host vanishes at once, as in a power cut: its engine and every container on it are killed. */
    void kill() {
        DockerClientFactory.instance().client().killContainerCmd(container.getContainerId()).exec();
    }

    /** Boots the host again (its engine's state kept) and waits for its engine. */
    void boot() {
        DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
        await(name + "'s engine back").atMost(ENGINE_DEADLINE).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> engine().pingCmd().exec() == null);
    }

    @Override
    public void close() {
        if (engine != null) {
            try {
                engine.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
        container.stop();
        try (var files = Files.walk(apiDirectory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a socket file left in target/ is harmless
        }
    }
}
