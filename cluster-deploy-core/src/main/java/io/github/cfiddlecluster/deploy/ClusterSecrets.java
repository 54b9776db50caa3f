package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.StackNames;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The cluster's secrets: generated on first deploy, kept in the swarm afterwards (their values are never read
 * back, logged or written to disk by the tooling).
 */
public final class ClusterSecrets {
    public static final int MUNGE_KEY_BYTES = 1024;
    private static final int DB_PASSWORD_CHARS = 32;
    private static final char[] PASSWORD_ALPHABET =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private final Random random;

    public ClusterSecrets() {
        this(new SecureRandom());
    }

    /** With another source of randomness (tests). */
    public ClusterSecrets(Random random) {
        this.random = random;
    }

    /** munged's key: random bytes, shared by every node. */
    public byte[] mungeKey() {
        byte[] key = new byte[MUNGE_KEY_BYTES];
        random.nextBytes(key);
        return key;
    }

    /** MariaDB's password for slurmdbd: letters and digits only, so no shell or SQL quoting can trip on it. */
    public byte[] dbPassword() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < DB_PASSWORD_CHARS; i++) {
            s.append(PASSWORD_ALPHABET[random.nextInt(PASSWORD_ALPHABET.length)]);
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A new value for the secret the stack template calls {@code secret}. */
    public byte[] generate(String secret) {
        switch (secret) {
            case StackNames.MUNGE_KEY: return mungeKey();
            case StackNames.DB_PASSWORD: return dbPassword();
            // letters and digits, as JupyterHub's service tokens are; read by the hub and the dashboard
            case StackNames.DASHBOARD_OAUTH: return dbPassword();
            default: throw new IllegalArgumentException("no such cluster secret: " + secret);
        }
    }

    /** The secrets (swarm name by template name) a deploy must create: those that do not exist yet. */
    public static Map<String, String> missing(String stack, Iterable<String> existingNames) {
        java.util.Set<String> existing = new java.util.HashSet<>();
        existingNames.forEach(existing::add);
        Map<String, String> missing = new LinkedHashMap<>();
        for (String secret : StackNames.SECRETS) {
            String name = StackNames.secretName(stack, secret);
            if (!existing.contains(name)) {
                missing.put(secret, name);
            }
        }
        return missing;
    }
}
