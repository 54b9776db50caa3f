package io.github.cfiddlecluster.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's commands as the operator types them: {@code ./mvnw cfiddle:GOAL -Dcfiddle.stackName=STACK ...} in
 * this project, with the plugin this build installed into its throwaway repository, everything else from this
 * build's own local repository (no network).
 */
final class OperatorMaven {
    static final Path PROJECT = Path.of(System.getProperty("cfiddle.projectRoot", "..")).toAbsolutePath().normalize();

    /** How one command ended: its exit code and its whole output. */
    record Run(int exitCode, String output) {
    }

    private final String stack;

    OperatorMaven(String stack) {
        this.stack = stack;
    }

    /** {@code ./mvnw GOAL -Dcfiddle.stackName=... SETTINGS}, its output summarised on stdout. */
    Run run(String goal, String... settings) {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("mvnw").toString(), "-B", goal,
                "-s", buildRepositoryMirror().toString(),
                "-Dcfiddle.stackName=" + stack, "-Dcfiddle.timeout=240",
                // The images and the plugin this build made, wherever this build keeps them.
                "-Dcfiddle.image.prefix=" + System.getProperty("cfiddle.image.prefix", "cfiddle-cluster"),
                "-Dmaven.repo.local=" + System.getProperty("cfiddle.localRepository", System.getProperty("user.home") + "/.m2/repository")));
        command.addAll(List.of(settings));
        try {
            Process process = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true).start();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread copier = new Thread(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            copier.start();
            if (!process.waitFor(6, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            copier.join();
            Run run = new Run(process.exitValue(), output.toString(StandardCharsets.UTF_8));
            System.out.println("== ./mvnw " + goal + " " + String.join(" ", settings) + " -> exit " + run.exitCode
                    + "\n" + run.output.lines().filter(l -> l.contains("[INFO]") && !l.contains("---") || l.contains("ERROR"))
                    .reduce("", (a, b) -> a + b + "\n"));
            return run;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Maven settings under which everything the plugin under test needs besides itself comes from this build's own
     * local repository (as maven-invoker-plugin's integration tests do): no network, and nothing installed by hand.
     */
    private static Path buildRepositoryMirror() {
        Path settings = PROJECT.resolve("integration-tests/target/deploy-it-settings.xml");
        String repository = Path.of(System.getProperty("cfiddle.buildRepository",
                System.getProperty("user.home") + "/.m2/repository")).toUri().toString();
        try {
            Files.writeString(settings, "<settings><mirrors><mirror><id>this-build</id><mirrorOf>*</mirrorOf><url>"
                    + repository + "</url></mirror></mirrors></settings>\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return settings;
    }
}
