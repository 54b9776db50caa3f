package io.github.cfiddlecluster.dashboard.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Asks Slurm through its own commands' --json output (sinfo, squeue, sacct of Slurm 22.05), as SlurmUser through
 * one sudo rule: only SlurmUser (or an admin) sees every job under {@code PrivateData=jobs,usage,users}, and the
 * dashboard's own account may run nothing else as it. Each command has a deadline, so a hung controller shows
 * as "unavailable" instead of stalling the dashboard.
 */
public final class SlurmCommands implements SlurmSource {
    /** Readers of the commands' output streams: threads of their own, never the (small) common pool. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "slurm-output-reader");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> prefix;
    private final Duration deadline;
    private final SlurmJson json = new SlurmJson();

    /**
     * @param prefix   what runs each command as SlurmUser (e.g. {@code sudo -n -u slurm}); empty to run it directly
     * @param deadline how long one command may take
     */
    public SlurmCommands(List<String> prefix, Duration deadline) {
        this.prefix = List.copyOf(prefix);
        this.deadline = deadline;
    }

    @Override
    public List<Node> nodes() throws SlurmUnavailableException {
        return json.nodes(run("/usr/bin/sinfo", "--json"));
    }

    @Override
    public List<Job> queue() throws SlurmUnavailableException {
        return json.queue(run("/usr/bin/squeue", "--json"));
    }

    @Override
    public List<Job> lastDay() throws SlurmUnavailableException {
        return json.accounting(run("/usr/bin/sacct", "--json", "--allusers", "--starttime=now-1days"));
    }

    private String run(String... command) throws SlurmUnavailableException {
        List<String> line = new ArrayList<>(prefix);
        line.addAll(List.of(command));
        String name = command[0].substring(command[0].lastIndexOf('/') + 1);
        Process process;
        try {
            process = new ProcessBuilder(line).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new SlurmUnavailableException(name + " could not be started: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = readAll(process.getInputStream());
            CompletableFuture<String> err = readAll(process.getErrorStream());
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new SlurmUnavailableException(name + " did not answer within " + deadline.toSeconds() + " s");
            }
            String stdout = out.join();
            if (process.exitValue() != 0) {
                throw new SlurmUnavailableException(name + " failed (exit " + process.exitValue() + "): "
                        + lastLine(err.join()));
            }
            return stdout;
        } catch (IOException e) {
            throw new SlurmUnavailableException(name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlurmUnavailableException(name + " interrupted", e);
        }
    }

    private static CompletableFuture<String> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                return bytes.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "(no message)" : lines.get(lines.size() - 1);
    }
}
