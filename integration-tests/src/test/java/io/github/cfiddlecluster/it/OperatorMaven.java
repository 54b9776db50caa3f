package io.github.cfiddlecluster.it;

import io.github.cfiddlecluster.slurm.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
                "-f", PROJECT.resolve("pom.xml").toString(),
                "-s", buildRepositoryMirror().toString(),
                "-Dcfiddle.stackName=" + stack, "-Dcfiddle.timeout=240",
                // The images and the plugin this build made, wherever this build keeps them.
                "-Dcfiddle.image.prefix=" + System.getProperty("cfiddle.image.prefix", "cfiddle-cluster"),
                "-Dmaven.repo.local=" + System.getProperty("cfiddle.localRepository", System.getProperty("user.home") + "/.m2/repository")));
        command.addAll(List.of(settings));
        Run run;
        try {
            CommandRunner.Result result = CommandRunner.run(command, Map.of(), Duration.ofMinutes(6));
            run = new Run(result.exitCode(), result.output());
        } catch (CommandRunner.TimedOut e) {
            run = new Run(-1, e.output() + "\n(" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        System.out.println("== ./mvnw " + goal + " " + String.join(" ", settings) + " -> exit " + run.exitCode
                + "\n" + run.output.lines().filter(l -> l.contains("[INFO]") && !l.contains("---") || l.contains("ERROR"))
                .reduce("", (x, y) -> x + y + "\n"));
        return run;
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
