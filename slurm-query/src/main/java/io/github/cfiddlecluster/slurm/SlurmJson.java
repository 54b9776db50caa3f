package io.github.cfiddlecluster.slurm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code --json} output of sinfo, squeue and sacct in Slurm 22.05 (openapi v0.0.38 and dbv0.0.38). Only
 * the fields the records carry are read; fields Slurm adds in later releases are ignored.
 */
final class SlurmJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SlurmJson() {
    }

    /** sinfo --json: {@code nodes[]}. */
    static List<SlurmNode> nodes(String json) throws SlurmQueryException {
        List<SlurmNode> nodes = new ArrayList<>();
        for (JsonNode n : array(parse(json, "sinfo"), "nodes", "sinfo")) {
            nodes.add(new SlurmNode(text(n, "name"), text(n, "state"), strings(n.path("state_flags")),
                    text(n, "reason"), new ArrayList<>(strings(n.path("partitions")))));
        }
        nodes.sort(Comparator.comparing(SlurmNode::name));
        return nodes;
    }

    /** squeue --json: {@code jobs[]} with flat fields and times in epoch seconds (0: not yet). */
    static List<SlurmJob> jobs(String json) throws SlurmQueryException {
        List<SlurmJob> jobs = new ArrayList<>();
        for (JsonNode j : array(parse(json, "squeue"), "jobs", "squeue")) {
            String state = text(j, "job_state");
            jobs.add(new SlurmJob(j.path("job_id").asLong(), text(j, "name"), text(j, "user_name"), state,
                    text(j, "nodes"), text(j, "state_reason"), time(j.path("submit_time")),
                    time(j.path("start_time")), endTime(state, j.path("end_time")), exitCode(j.path("exit_code"))));
        }
        jobs.sort(Comparator.comparingLong(SlurmJob::id));
        return jobs;
    }

    /** sacct --json: {@code jobs[]} with {@code state}, {@code time} and {@code exit_code} objects. */
    static List<SlurmJob> accountedJobs(String json) throws SlurmQueryException {
        List<SlurmJob> jobs = new ArrayList<>();
        for (JsonNode j : array(parse(json, "sacct"), "jobs", "sacct")) {
            JsonNode time = j.path("time");
            String state = text(j.path("state"), "current");
            jobs.add(new SlurmJob(j.path("job_id").asLong(), text(j, "name"), text(j, "user"), state,
                    text(j, "nodes"), text(j.path("state"), "reason"), time(time.path("submission")),
                    time(time.path("start")), endTime(state, time.path("end")), exitCode(j.path("exit_code"))));
        }
        jobs.sort(Comparator.comparingLong(SlurmJob::id));
        return jobs;
    }

    private static JsonNode parse(String json, String command) throws SlurmQueryException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SlurmQueryException(command + " --json printed something that is not JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SlurmQueryException(command + " --json printed no JSON object");
        }
        JsonNode errors = root.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            throw new SlurmQueryException(command + " --json reports errors: " + errors);
        }
        return root;
    }

    private static JsonNode array(JsonNode root, String field, String command) throws SlurmQueryException {
        JsonNode array = root.path(field);
        if (!array.isArray()) {
            throw new SlurmQueryException(command + " --json has no '" + field + "' list (not Slurm 22.05's format?)");
        }
        return array;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() ? value.asText() : "";
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Epoch seconds; 0 (or absent) is Slurm's "not yet". */
    private static Instant time(JsonNode value) {
        long seconds = value.asLong(0);
        return seconds <= 0 ? null : Instant.ofEpochSecond(seconds);
    }

    /** Slurm writes the expected end (start plus time limit) for a job that has not ended: not an end. */
    private static Instant endTime(String state, JsonNode value) {
        return SlurmJob.isFinished(state) ? time(value) : null;
    }

    /** An exit code: a number, or an object with {@code return_code} (sacct). */
    private static Integer exitCode(JsonNode value) {
        JsonNode code = value.isObject() ? value.path("return_code") : value;
        return code.isNumber() ? code.asInt() : null;
    }
}
