package io.github.cfiddlecluster.it;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.time.Duration;
import java.util.Arrays;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/** Runs one command in a fresh container of an image and reports how it ended, whatever its exit code. */
public final class OneShot {
    private final GenericContainer<?> container;
    private String[] entrypoint;

    private OneShot(DockerImageName image) {
        container = new GenericContainer<>(image).withLabels(TestLabels.ofThisRun())
                .withStartupCheckStrategy(new RunsToCompletion());
    }

    public static OneShot of(DockerImageName image) {
        return new OneShot(image);
    }

    /** Replaces the image's entrypoint (the command then runs directly). */
    public OneShot withEntrypoint(String... entrypoint) {
        this.entrypoint = entrypoint;
        return this;
    }

    public OneShot withFile(String path, byte[] content, int mode) {
        container.withCopyToContainer(Transferable.of(content, mode), path);
        return this;
    }

    /** A file of the tests' resources (e.g. experiments/NAME.py), readable by everyone at PATH. */
    public OneShot withResource(String resource, String path) {
        container.withCopyToContainer(org.testcontainers.utility.MountableFile.forClasspathResource(resource, 0644), path);
        return this;
    }

    public OneShot withBind(java.nio.file.Path hostPath, String containerPath) {
        container.withFileSystemBind(hostPath.toString(), containerPath, org.testcontainers.containers.BindMode.READ_WRITE);
        return this;
    }

    /** A tmpfs anyone may write to (the sandbox's working directory, as the launcher mounts it). */
    public OneShot withTmpFs(String path) {
        container.withTmpFs(java.util.Map.of(path, "rw,exec,mode=1777"));
        return this;
    }

    public Result run(String... command) {
        if (entrypoint != null) {
            String[] e = entrypoint;
            container.withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint(e));
        }
        container.withCommand(command);
        try {
            container.start();
            InspectContainerResponse info = DockerClientFactory.instance().client()
                    .inspectContainerCmd(container.getContainerId()).exec();
            return new Result(info.getState().getExitCodeLong().intValue(),
                    container.getLogs(OutputFrame.OutputType.STDOUT), container.getLogs(OutputFrame.OutputType.STDERR));
        } finally {
            container.stop();
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Started means: it ran and exited (any exit code), within a deadline. */
    static final class RunsToCompletion extends StartupCheckStrategy {
        RunsToCompletion() {
            withTimeout(Duration.ofMinutes(2));
        }

        @Override
        public StartupStatus checkStartupState(com.github.dockerjava.api.DockerClient client, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(client, containerId);
            return Boolean.TRUE.equals(state.getRunning()) ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }

    @Override
    public String toString() {
        return "OneShot " + container.getDockerImageName() + " " + Arrays.toString(entrypoint);
    }
}
