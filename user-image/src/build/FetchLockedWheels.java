import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches every wheel a hash-locked requirements file names into a cache, on the build host (containers cannot
 * reach PyPI), checks each file's sha256 against the lock, and copies the wheels and the lock into the Docker
 * build context, where pip installs them with --no-index --require-hashes. Run by the user image's build as a
 * single-file program of the JDK (no compiled module, no host Python); a file already in the cache is not
 * fetched again, which is also how an air-gapped host builds.
 *
 * Arguments: LOCK CACHE_DIR CONTEXT_DIR. Lock lines: "name==version --hash=sha256:HEX  # URL".
 */
public final class FetchLockedWheels {
    private static final Pattern LINE = Pattern.compile(
            "^(\\S+)==(\\S+) --hash=sha256:([0-9a-f]{64})\\s+#\\s+(https://\\S+/([^/\\s]+\\.whl))$");

    record Wheel(String requirement, String sha256, URI url, String file) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: FetchLockedWheels LOCK CACHE_DIR CONTEXT_DIR");
        }
        Path lock = Path.of(args[0]);
        Path cache = Path.of(args[1]);
        Path context = Path.of(args[2]);
        List<Wheel> wheels = read(lock);
        Files.createDirectories(cache);
        Path wheelDir = context.resolve("hub-wheels");
        Files.createDirectories(wheelDir);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        // A few downloads at a time: a cold cache is about a hundred files.
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> pending = new ArrayList<>();
        for (Wheel wheel : wheels) {
            pending.add(pool.submit(() -> {
                fetchVerified(http, wheel, cache, lock);
                Files.copy(cache.resolve(wheel.file()), wheelDir.resolve(wheel.file()), StandardCopyOption.REPLACE_EXISTING);
                return null;
            }));
        }
        List<String> failures = new ArrayList<>();
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause().getMessage());
            }
        }
        pool.shutdown();
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of " + wheels.size() + " wheels failed:\n  "
                    + String.join("\n  ", failures));
        }
        // Only what the lock names: a wheel left over from an older lock must not reach the image.
        try (var listing = Files.list(wheelDir)) {
            for (Path p : (Iterable<Path>) listing::iterator) {
                if (wheels.stream().noneMatch(w -> w.file().equals(p.getFileName().toString()))) {
                    Files.delete(p);
                }
            }
        }
        Files.copy(lock, context.resolve(lock.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        System.out.println(wheels.size() + " wheels from " + lock + " checked and in " + wheelDir);
    }

    static List<Wheel> read(Path lock) throws IOException {
        List<Wheel> wheels = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(lock)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(lock + ":" + n + ": not 'name==version --hash=sha256:HEX  # URL-of-a-wheel': " + line);
            }
            wheels.add(new Wheel(m.group(1) + "==" + m.group(2), m.group(3), URI.create(m.group(4)), m.group(5)));
        }
        if (wheels.isEmpty()) {
            throw new IllegalArgumentException(lock + ": names no wheel");
        }
        return wheels;
    }

    static void fetchVerified(HttpClient http, Wheel wheel, Path cache, Path lock) throws IOException, InterruptedException {
        Path target = cache.resolve(wheel.file());
        if (!Files.exists(target)) {
            Path partial = cache.resolve(wheel.file() + ".part-" + ProcessHandle.current().pid());
            HttpResponse<Path> r = http.send(HttpRequest.newBuilder(wheel.url()).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofFile(partial));
            if (r.statusCode() != 200) {
                Files.deleteIfExists(partial);
                throw new IOException(wheel.requirement() + ": HTTP " + r.statusCode() + " from " + wheel.url());
            }
            // Checked before it takes the cache name, so a bad download is never mistaken for a good one later.
            String got = sha256(partial);
            if (!got.equals(wheel.sha256())) {
                Files.delete(partial);
                throw new IOException(wheel.requirement() + ": " + wheel.url() + " has sha256 " + got + ", the lock says "
                        + wheel.sha256() + " (" + lock + ")");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        String got = sha256(target);
        if (!got.equals(wheel.sha256())) {
            throw new IOException(wheel.requirement() + ": " + target + " has sha256 " + got + " but " + lock + " expects "
                    + wheel.sha256() + ". It is not the file the project pinned: delete it to fetch it again from " + wheel.url());
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int k; (k = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, k);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
