package io.github.cfiddlecluster.dashboard.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in browsers: a random session id (the cookie) for an account, for a limited time, in memory only. A
 * dashboard restart logs everyone out, which costs a redirect through the hub (still logged in there).
 * Also remembers the hub tokens of scripts for a minute, so a polling script does not ask the hub every time.
 */
public final class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(String user, Instant expires) {
    }

    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration lifetime;
    private final Duration tokenMemory;

    public Sessions(Clock clock, Duration lifetime, Duration tokenMemory) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.tokenMemory = tokenMemory;
    }

    /** A new session for {@code user}; returns its id. */
    public String open(String user) {
        dropExpired();
        String id = randomId();
        sessions.put(id, new Entry(user, clock.instant().plus(lifetime)));
        return id;
    }

    public Optional<String> user(String sessionId) {
        return valid(sessions, sessionId);
    }

    public void close(String sessionId) {
        if (sessionId != null) {
            sessions.remove(sessionId);
        }
    }

    public Optional<String> rememberedToken(String token) {
        return valid(tokens, token);
    }

    public void rememberToken(String token, String user) {
        dropExpired();
        tokens.put(token, new Entry(user, clock.instant().plus(tokenMemory)));
    }

    /** A random, unguessable identifier (also the OAuth state). */
    public static String randomId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private Optional<String> valid(Map<String, Entry> entries, String key) {
        if (key == null) {
            return Optional.empty();
        }
        Entry entry = entries.get(key);
        if (entry == null || !clock.instant().isBefore(entry.expires())) {
            return Optional.empty();
        }
        return Optional.of(entry.user());
    }

    private void dropExpired() {
        Instant now = clock.instant();
        sessions.values().removeIf(e -> !now.isBefore(e.expires()));
        tokens.values().removeIf(e -> !now.isBefore(e.expires()));
    }
}
