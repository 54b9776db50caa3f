package io.github.cfiddlecluster.dashboard.slurm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the --json output of Slurm 22.05's sinfo and squeue (OpenAPI v0.0.38 shapes) and sacct (dbv0.0.38).
 * Times are Unix seconds, 0 meaning "not yet"; time limits are minutes.
 */
public final class SlurmJson {
    private final ObjectMapper mapper = new ObjectMapper();

    public List<Node> nodes(String sinfoJson) throws SlurmUnavailableException {
        List<Node> nodes = new ArrayList<>();
        for (JsonNode n : array(sinfoJson, "sinfo", "nodes")) {
            boolean drain = false;
            for (JsonNode flag : n.path("state_flags")) {
                drain |= flag.asText().startsWith("DRAIN");
            }
            nodes.add(new Node(n.path("name").asText(), n.path("state").asText().toLowerCase(Locale.ROOT), drain,
                    n.path("reason").asText(""), instant(n.path("reason_changed_at")), instant(n.path("slurmd_start_time")),
                    instant(n.path("last_busy"))));
        }
        return nodes;
    }

    public List<Job> queue(String squeueJson) throws SlurmUnavailableException {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode j : array(squeueJson, "squeue", "jobs")) {
            jobs.add(new Job(j.path("job_id").asLong(), user(j.path("user_name"), j.path("user_id")), text(j.path("name")),
                    j.path("job_state").asText(), j.path("state_reason").asText("None"), instant(j.path("submit_time")),
                    instant(j.path("start_time")), instant(j.path("end_time")), minutes(j.path("time_limit")),
                    j.path("nodes").asText(""), j.path("priority").asLong()));
        }
        return jobs;
    }

    public List<Job> accounting(String sacctJson) throws SlurmUnavailableException {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode j : array(sacctJson, "sacct", "jobs")) {
            JsonNode time = j.path("time");
            String nodes = j.path("nodes").asText("");
            jobs.add(new Job(j.path("job_id").asLong(), user(j.path("user"), j.path("association").path("user")), text(j.path("name")),
                    j.path("state").path("current").asText(), j.path("state").path("reason").asText("None"),
                    instant(time.path("submission")), instant(time.path("start")), instant(time.path("end")),
                    minutes(time.path("limit")), "None assigned".equals(nodes) ? "" : nodes, j.path("priority").asLong()));
        }
        return jobs;
    }

    private JsonNode array(String json, String command, String field) throws SlurmUnavailableException {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SlurmUnavailableException(command + " --json printed something that is not JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.path(field).isArray()) {
            throw new SlurmUnavailableException(command + " --json printed no \"" + field + "\" list");
        }
        JsonNode errors = root.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            throw new SlurmUnavailableException(command + " reported: " + errors.get(0).path("error").asText(errors.get(0).toString()));
        }
        return root.get(field);
    }

    /** A JSON string, "" for null or missing (Jackson's asText() of null is the word "null"). */
    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : "";
    }

    /**
     * The owner's name; Slurm leaves it null when the name does not resolve where the command runs, so the
     * fallback (the uid, or accounting's association) keeps an owner for every job.
     */
    private static String user(JsonNode name, JsonNode fallback) {
        String user = text(name);
        if (!user.isEmpty()) {
            return user;
        }
        String other = text(fallback);
        return other.isEmpty() ? "unknown" : fallback.isNumber() ? "uid " + other : other;
    }

    /** Slurm's "not set" is 0 (and, for some fields, a missing value). */
    private static Instant instant(JsonNode seconds) {
        long value = seconds.asLong(0);
        return value > 0 ? Instant.ofEpochSecond(value) : null;
    }

    private static Duration minutes(JsonNode minutes) {
        return minutes.isNumber() && minutes.asLong() > 0 ? Duration.ofMinutes(minutes.asLong()) : null;
    }
}
