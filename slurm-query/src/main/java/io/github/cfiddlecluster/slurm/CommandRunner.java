package io.github.cfiddlecluster.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line program with a deadline: the one runner for the docker CLI and for Slurm's commands. Its
 * output is read while it runs, so a program that hangs, or one that writes more than a pipe holds, is stopped at
 * the deadline instead of hanging the caller.
 */
public final class CommandRunner {
    /** How long the output may still take to arrive once the program has ended. */
    private static final Duration DRAIN = Duration.ofSeconds(5);

    /** How a program ended and what it wrote. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Both streams, stdout first: for messages. */
        public String output() {
            return stdout.isEmpty() || stderr.isEmpty() ? stdout + stderr
                    : stdout + (stdout.endsWith("\n") ? "" : "\n") + stderr;
        }
    }

    /** The program did not end in time; {@link #output()} is what it had written. */
    public static final class TimedOut extends Exception {
        private final String output;

        TimedOut(List<String> command, Duration timeout, String output) {
            super(command.get(0) + " did not finish in " + timeout.toSeconds() + " s");
            this.output = output;
        }

        public String output() {
            return output;
        }
    }

    private CommandRunner() {
    }

    /**
     * @param environment added to this process's own environment
     * @throws IOException when the program cannot be started (e.g. it is not installed)
     */
    public static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, TimedOut, InterruptedException {
        return run(command, environment, null, timeout);
    }

    /**
     * @param input what the program reads on stdin (exactly these bytes: e.g. a binary secret for
     *     {@code docker secret create NAME -}, which so never touches a disk), or null for none
     */
    public static Result run(List<String> command, Map<String, String> environment, byte[] input, Duration timeout)
            throws IOException, TimedOut, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (input == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        }
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (input != null) {
            writer(process.getOutputStream(), input, "stdin of " + command.get(0));
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread outReader = reader(process.getInputStream(), stdout, "stdout of " + command.get(0));
        Thread errReader = reader(process.getErrorStream(), stderr, "stderr of " + command.get(0));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                outReader.join(DRAIN.toMillis());
                errReader.join(DRAIN.toMillis());
                throw new TimedOut(command, timeout, new Result(-1, text(stdout), text(stderr)).output());
            }
            outReader.join(DRAIN.toMillis());
            errReader.join(DRAIN.toMillis());
            return new Result(process.exitValue(), text(stdout), text(stderr));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static Thread reader(InputStream in, ByteArrayOutputStream into, String name) {
        return daemon(name, () -> {
            try (in) {
                in.transferTo(into);
            }
        });
    }

    private static void writer(OutputStream out, byte[] input, String name) {
        daemon(name, () -> {
            try (out) {
                out.write(input);
            }
        });
    }

    private interface Transfer {
        void run() throws IOException;
    }

    /** A thread moving bytes to or from the program; it ends when the program closes its end. */
    private static Thread daemon(String name, Transfer transfer) {
        Thread thread = new Thread(() -> {
            try {
                transfer.run();
            } catch (IOException ended) {
                // the program was stopped, or stopped reading
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
