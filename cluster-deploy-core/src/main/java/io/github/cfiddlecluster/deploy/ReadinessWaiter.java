package io.github.cfiddlecluster.deploy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Polls a {@link Probe} until the cluster is {@linkplain Readiness.Snapshot#ready() ready} or a deadline passes,
 * logging each change of progress. Ready means ready in two looks in a row: right after a stack deploy, swarm may
 * not yet have begun replacing tasks whose change the probe cannot see. The clock and the sleeper are injected,
 * so tests need no real time.
 */
public final class ReadinessWaiter {
    /** One look at the cluster. */
    @FunctionalInterface
    public interface Probe {
        Readiness.Snapshot probe() throws DeployException;
    }

    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());
    }

    /** How the wait ended: ready or not, after how long, and the last look. */
    public record Outcome(boolean ready, Duration elapsed, Readiness.Snapshot last) {}

    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration pollInterval;
    private final DeployLog log;

    public ReadinessWaiter(Clock clock, Sleeper sleeper, Duration pollInterval, DeployLog log) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.pollInterval = pollInterval;
        this.log = log;
    }

    public Outcome await(Probe probe, Duration timeout) throws DeployException {
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        String lastProgress = null;
        boolean readyBefore = false;
        while (true) {
            Readiness.Snapshot snapshot = probe.probe();
            Duration elapsed = Duration.between(start, clock.instant());
            String progress = snapshot.progress();
            if (!progress.equals(lastProgress)) {
                log.info(String.format("[%5.1fs] %s", elapsed.toMillis() / 1000.0, progress));
                lastProgress = progress;
            }
            if (snapshot.ready() && readyBefore) {
                return new Outcome(true, elapsed, snapshot);
            }
            readyBefore = snapshot.ready();
            if (!clock.instant().isBefore(deadline)) {
                return new Outcome(false, elapsed, snapshot);
            }
            try {
                Duration left = Duration.between(clock.instant(), deadline);
                sleeper.sleep(left.compareTo(pollInterval) < 0 ? left : pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeployException("interrupted while waiting for the cluster", e);
            }
        }
    }
}
