package io.github.cfiddlecluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.StreamSupport;

/** The {@code RESULT <json>} line an experiment script prints (see cfiddle_test_support.report). */
public final class ScriptResult {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScriptResult() {
    }

    public static JsonNode parse(String stdout) {
        String line = stdout.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the script reported no RESULT line; it printed:\n" + stdout));
        try {
            return JSON.readTree(line.substring("RESULT ".length()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Long> longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }

    public static List<Double> doubles(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asDouble).toList();
    }

    /** What POLYNOMIAL in cfiddle_test_support.py computes. */
    public static long polynomial(long x) {
        return 3 * x * x + 2 * x + 1;
    }
}
