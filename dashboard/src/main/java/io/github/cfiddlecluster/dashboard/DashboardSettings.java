package io.github.cfiddlecluster.dashboard;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dashboard's settings, from its environment (the stack and the test fixture set them; the README lists them).
 *
 * @param port             the HTTP port
 * @param prefix           the path it serves under, as the hub's proxy forwards it ({@code /services/dashboard/})
 * @param hubApi           the hub's API as this container reaches it ({@code http://usernode:8888/hub/api})
 * @param clientId         its OAuth client id at the hub
 * @param clientSecret     its OAuth client secret (the hub service's API token, from a secret file)
 * @param admins           accounts that see every experiment
 * @param userRunningLimit experiments one user may run at once (the partition's QOS), for the estimates
 * @param pollInterval     how often Slurm's controller is read
 * @param historyInterval  how often accounting is read
 * @param slurmAs          what runs Slurm's commands as SlurmUser (empty: run them directly)
 */
public record DashboardSettings(int port, String prefix, URI hubApi, String clientId, String clientSecret,
        Set<String> admins, int userRunningLimit, Duration pollInterval, Duration historyInterval, String slurmAs) {

    public static DashboardSettings fromEnvironment(Map<String, String> env) {
        String prefix = env.getOrDefault("DASHBOARD_PREFIX", "/services/dashboard/");
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("DASHBOARD_PREFIX must start and end with '/', not '" + prefix + "'");
        }
        String hubApi = required(env, "JUPYTERHUB_API_URL", "the hub's API URL, e.g. http://usernode:8888/hub/api");
        Path secretFile = Path.of(env.getOrDefault("DASHBOARD_OAUTH_SECRET_FILE", "/run/secrets/dashboard_oauth"));
        String secret;
        try {
            secret = Files.readString(secretFile).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("no OAuth client secret at " + secretFile
                    + " (the stack's dashboard_oauth secret, shared with the hub; or set DASHBOARD_OAUTH_SECRET_FILE)");
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException(secretFile + " is empty: it must hold the hub service's API token");
        }
        Set<String> admins = Arrays.stream(env.getOrDefault("CFIDDLE_ADMINS", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new DashboardSettings(
                number(env, "DASHBOARD_PORT", 8080),
                prefix,
                URI.create(hubApi.endsWith("/") ? hubApi : hubApi + "/"),
                env.getOrDefault("DASHBOARD_OAUTH_CLIENT_ID", "service-dashboard"),
                secret,
                admins,
                number(env, "SLURM_USER_RUNNING_LIMIT", 1),
                Duration.ofMillis(number(env, "DASHBOARD_POLL_MILLIS", 2000)),
                Duration.ofSeconds(number(env, "DASHBOARD_HISTORY_SECONDS", 10)),
                env.getOrDefault("DASHBOARD_SLURM_AS", "sudo -n -u slurm"));
    }

    private static String required(Map<String, String> env, String name, String what) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set: " + what);
        }
        return value;
    }

    private static int number(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive whole number, not '" + value + "'");
        }
    }
}
