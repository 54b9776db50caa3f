package io.github.cfiddlecluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * What one run of BUSY (cfiddle_test_support.py) recorded itself: its tag, when it started and ended (the
 * host's CLOCK_REALTIME, in nanoseconds) and its sandbox's hostname.
 */
public record BusyRun(long tag, long startedNanos, long endedNanos, String sandboxHostname) {

    /** The {@code runs} that busy_experiments.py reports. */
    static List<BusyRun> all(JsonNode runs) {
        return StreamSupport.stream(runs.spliterator(), false)
                .map(r -> new BusyRun(r.get("tag").asLong(), r.get("started_ns").asLong(), r.get("ended_ns").asLong(),
                        r.get("sandbox_hostname").asText()))
                .toList();
    }

    /** Whether the two were busy at the same moment. */
    boolean overlaps(BusyRun other) {
        return startedNanos < other.endedNanos && other.startedNanos < endedNanos;
    }
}
