package io.github.cfiddlecluster.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Comparator;
import java.util.Objects;

/**
 * Credentials for a registry of the admin's own (e.g. a Maven settings {@code <server>} whose id is the registry's
 * host), handed to the docker CLI for {@code push} and {@code stack deploy --with-registry-auth} through a Docker
 * configuration of its own: a file only its owner can read, in a directory that is deleted afterwards. Never on a
 * command line, in an environment variable or a log.
 */
public final class RegistryLogin implements AutoCloseable {
    private final String host;
    private final String username;
    private final String password;
    private Path configDirectory;

    public RegistryLogin(String host, String username, String password) {
        this.host = Objects.requireNonNull(host, "host");
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password");
    }

    /** The host (and port) of a registry setting such as {@code registry.example.org:5000/course}. */
    public static String hostOf(String registry) {
        int slash = registry.indexOf('/');
        return slash < 0 ? registry : registry.substring(0, slash);
    }

    public String host() {
        return host;
    }

    public String username() {
        return username;
    }

    /** A directory to give the docker CLI as DOCKER_CONFIG; made on first use. */
    synchronized Path dockerConfigDirectory() throws IOException {
        if (configDirectory == null) {
            Path dir = Files.createTempDirectory("cfiddle-docker-config",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            String auth = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            Path config = Files.createFile(dir.resolve("config.json"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(config, "{\"auths\":{\"" + json(host) + "\":{\"auth\":\"" + auth + "\"}}}\n");
            configDirectory = dir;
        }
        return configDirectory;
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public synchronized void close() {
        if (configDirectory != null) {
            try (var files = Files.walk(configDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory only its owner can read
            }
            configDirectory = null;
        }
    }

    @Override
    public String toString() {
        return "registry login " + username + "@" + host;
    }
}
