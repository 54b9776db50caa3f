package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.dashboard.auth.HubOAuth;
import io.github.cfiddlecluster.dashboard.auth.Sessions;
import io.github.cfiddlecluster.slurm.CommandRunner;
import io.github.cfiddlecluster.slurm.SlurmCommands;
import io.github.cfiddlecluster.slurm.SlurmQuery;
import io.github.cfiddlecluster.slurm.SlurmQueryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Starts the dashboard from its environment (see {@link DashboardSettings}). */
public final class DashboardMain {
    /** One Slurm command's deadline: a hung controller shows as "does not answer" instead of stalling the page. */
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(20);

    private DashboardMain() {
    }

    /**
     * Slurm's commands as SlurmUser, who alone sees every job under PrivateData=jobs,usage,users: the dashboard's
     * account may run exactly sinfo, squeue and sacct (with the arguments slurm-query gives) that way, through one
     * sudo rule (the image's /etc/sudoers.d/cfiddle-dashboard).
     */
    static SlurmCommands asSlurmUser(List<String> prefix, Duration deadline) {
        return command -> {
            List<String> line = new ArrayList<>(prefix);
            line.addAll(command);
            try {
                return CommandRunner.run(line, Map.of(), deadline);
            } catch (IOException e) {
                throw new SlurmQueryException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            } catch (CommandRunner.TimedOut e) {
                throw new SlurmQueryException(command.get(0) + " did not answer within " + deadline.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlurmQueryException("interrupted while running " + command.get(0), e);
            }
        };
    }

    public static void main(String[] args) {
        DashboardSettings settings;
        try {
            settings = DashboardSettings.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("cfiddle-dashboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        Clock clock = Clock.systemUTC();
        List<String> slurmAs = Arrays.stream(settings.slurmAs().split(" ")).filter(s -> !s.isBlank()).toList();
        ClusterMonitor monitor = new ClusterMonitor(new SlurmQuery(asSlurmUser(slurmAs, COMMAND_DEADLINE)), clock)
                .start(settings.pollInterval(), settings.historyInterval());
        HubOAuth hub = new HubOAuth(settings.hubApi(), settings.clientId(), settings.clientSecret(),
                settings.prefix() + "oauth_callback");
        new DashboardServer(settings, monitor, hub, new Sessions(clock, Duration.ofHours(12), Duration.ofMinutes(1)), clock)
                .start();
    }
}
