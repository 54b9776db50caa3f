package io.github.cfiddlecluster.slurm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
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
    /** Slurm's ESLURM_REST_EMPTY_RESULT. */
    private static final int NOTHING_FOUND = 9003;

    private SlurmJson() {
    }

    /** sinfo --json: {@code nodes[]}. */
    static List<SlurmNode> nodes(String json) throws SlurmQueryException {
        List<SlurmNode> nodes = new ArrayList<>();
        for (JsonNode n : array(parse(json, "sinfo"), "nodes", "sinfo")) {
            nodes.add(new SlurmNode(text(n, "name"), text(n, "state"), strings(n.path("state_flags")),
                    text(n, "reason"), new ArrayList<>(strings(n.path("partitions"))), time(n.path("slurmd_start_time")),
                    time(n.path("reason_changed_at")), time(n.path("last_busy"))));
        }
        nodes.sort(Comparator.comparing(SlurmNode::name));
        return nodes;
    }

    /**
     * squeue --json: {@code jobs[]} with flat fields and times in epoch seconds (0: not yet). It ignores squeue's
     * filters and lists every job the controller holds, finished ones included (for MinJobAge).
     */
    static List<SlurmJob> jobs(String json) throws SlurmQueryException {
        List<SlurmJob> jobs = new ArrayList<>();
        for (JsonNode j : array(parse(json, "squeue"), "jobs", "squeue")) {
            String state = text(j, "job_state");
            jobs.add(new SlurmJob(j.path("job_id").asLong(), text(j, "name"), user(j, "user_name", "user_id"), state,
                    text(j, "nodes"), text(j, "state_reason"), time(j.path("submit_time")),
                    time(j.path("start_time")), endTime(state, j.path("end_time")),
                    SlurmJob.isFinished(state) ? exitStatus(j.path("exit_code")) : null, minutes(j.path("time_limit")),
                    j.path("priority").asLong()));
        }
        jobs.sort(Comparator.comparingLong(SlurmJob::id));
        return jobs;
    }

    /**
     * sacct --json: {@code jobs[]} with {@code state} and {@code time} objects. Its {@code exit_code} is not read:
     * 22.05 reports SUCCESS, 0 for a job that failed with exit code 1 (sacct's text says 1:0).
     */
    static List<SlurmJob> accountedJobs(String json) throws SlurmQueryException {
        List<SlurmJob> jobs = new ArrayList<>();
        for (JsonNode j : array(parse(json, "sacct"), "jobs", "sacct")) {
            JsonNode time = j.path("time");
            String state = text(j.path("state"), "current");
            String nodes = text(j, "nodes");
            jobs.add(new SlurmJob(j.path("job_id").asLong(), text(j, "name"), text(j, "user"), state,
                    nodes.equals("None assigned") ? "" : nodes, text(j.path("state"), "reason"),
                    time(time.path("submission")), time(time.path("start")), endTime(state, time.path("end")), null,
                    minutes(time.path("limit")), j.path("priority").asLong()));
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
        for (JsonNode error : root.path("errors")) {
            // sacct's way to say "no jobs in that time": an error, with an empty list
            if (error.path("error_number").asInt() != NOTHING_FOUND) {
                throw new SlurmQueryException(command + " --json reports an error: " + error);
            }
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

    /** A string field; "" when absent or null (Jackson's asText() of a JSON null is the word "null"). */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : "";
    }

    /**
     * The owner's name. squeue leaves it null when the uid has no name where squeue runs; the uid then stands
     * in for it ("uid 2001"), so that every job keeps an owner.
     */
    private static String user(JsonNode job, String nameField, String uidField) {
        String name = text(job, nameField);
        return !name.isEmpty() || !job.path(uidField).isNumber() ? name : "uid " + job.path(uidField).asLong();
    }

    /** Slurm's time limits are whole minutes; 0 or absent (or "infinite", not a number) is none. */
    private static Duration minutes(JsonNode value) {
        return value.isNumber() && value.asLong() > 0 ? Duration.ofMinutes(value.asLong()) : null;
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

    /** squeue's exit_code is a wait status: the return code, or null when a signal ended the job. */
    private static Integer exitStatus(JsonNode value) {
        if (!value.isNumber()) {
            return null;
        }
        int status = value.asInt();
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : null;
    }
}
