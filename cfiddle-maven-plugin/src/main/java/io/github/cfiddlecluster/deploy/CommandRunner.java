package io.github.cfiddlecluster.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line program with a deadline. Its output (stdout and stderr together) is read while it runs, so a
 * program that hangs, or one that writes more than a pipe holds, is stopped at the deadline instead of hanging the
 * build.
 */
final class CommandRunner {
    /** How long the output may still take to arrive once the program has ended. */
    private static final Duration DRAIN = Duration.ofSeconds(5);

    record Result(int exitCode, String output) {
    }

    /** The program did not end in time; {@link #output()} is what it had written. */
    static final class TimedOut extends Exception {
        private final String output;

        TimedOut(Duration timeout, String output) {
            super("did not finish in " + timeout.toSeconds() + " s");
            this.output = output;
        }

        String output() {
            return output;
        }
    }

    private CommandRunner() {
    }

    static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, TimedOut, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ended) {
                // the program was stopped
            }
        }, "output of " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                reader.join(DRAIN.toMillis());
                throw new TimedOut(timeout, output.toString(StandardCharsets.UTF_8));
            }
            reader.join(DRAIN.toMillis());
            return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }
}
