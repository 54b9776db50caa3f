package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.dashboard.auth.HubOAuth;
import io.github.cfiddlecluster.dashboard.auth.Sessions;
import io.github.cfiddlecluster.dashboard.slurm.SlurmCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Starts the dashboard from its environment (see {@link DashboardSettings}). */
public final class DashboardMain {
    private DashboardMain() {
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
        ClusterMonitor monitor = new ClusterMonitor(new SlurmCommands(slurmAs, Duration.ofSeconds(20)), clock)
                .start(settings.pollInterval(), settings.historyInterval());
        HubOAuth hub = new HubOAuth(settings.hubApi(), settings.clientId(), settings.clientSecret(),
                settings.prefix() + "oauth_callback");
        new DashboardServer(settings, monitor, hub, new Sessions(clock, Duration.ofHours(12), Duration.ofMinutes(1)), clock)
                .start();
    }
}
