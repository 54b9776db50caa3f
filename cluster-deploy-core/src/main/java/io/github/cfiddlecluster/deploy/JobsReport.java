package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Slurm's jobs as status lines: the queue, and recent jobs grouped by user. */
final class JobsReport {
    private static final DateTimeFormatter END = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private JobsReport() {
    }

    /** One line per job in the queue: id, user, name, state, time running, and its node or why it waits. */
    static List<String> queue(List<SlurmJob> jobs, Instant now) {
        List<String> out = new ArrayList<>();
        out.add(String.format("  %8s %-12s %-12s %-10s %9s %s", "JOBID", "USER", "NAME", "STATE", "TIME", "NODE (REASON)"));
        for (SlurmJob j : jobs) {
            out.add(String.format("  %8d %-12s %-12s %-10s %9s %s", j.id(), j.user(), j.name(), j.state(),
                    elapsed(j.elapsed(now)), j.nodes().isEmpty() ? "(" + j.reason() + ")" : j.nodes()));
        }
        return out;
    }

    /** Jobs grouped by user (users sorted), each with a count and its last {@code perUser} jobs. */
    static List<String> perUser(List<SlurmJob> jobs, int perUser, Instant now) {
        Map<String, List<SlurmJob>> byUser = new TreeMap<>();
        jobs.forEach(j -> byUser.computeIfAbsent(j.user(), k -> new ArrayList<>()).add(j));
        List<String> out = new ArrayList<>();
        if (byUser.isEmpty()) {
            out.add("  (none)");
        }
        for (Map.Entry<String, List<SlurmJob>> e : byUser.entrySet()) {
            List<SlurmJob> mine = e.getValue();
            long unsuccessful = mine.stream().filter(SlurmJob::unsuccessful).count();
            out.add("  " + e.getKey() + ": " + mine.size() + " job" + (mine.size() == 1 ? "" : "s")
                    + (unsuccessful > 0 ? ", " + unsuccessful + " not completed" : ""));
            for (SlurmJob j : mine.subList(Math.max(0, mine.size() - perUser), mine.size())) {
                out.add(String.format("    %-8d %-10s %-12s %9s %-19s %s", j.id(), j.name(), j.state(),
                        elapsed(j.elapsed(now)), j.ended() == null ? "" : END.format(j.ended()), j.nodes()));
            }
        }
        return out;
    }

    private static String elapsed(Duration d) {
        if (d == null) {
            return "-";
        }
        long s = d.toSeconds();
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
