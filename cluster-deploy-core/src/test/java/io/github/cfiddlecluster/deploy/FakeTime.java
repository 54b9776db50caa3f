package io.github.cfiddlecluster.deploy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when the code under test sleeps: no real waiting, no timed assertions. */
final class FakeTime extends Clock implements ReadinessWaiter.Sleeper {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Duration slept = Duration.ZERO;

    @Override
    public void sleep(Duration duration) {
        now = now.plus(duration);
        slept = slept.plus(duration);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
