package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.slurm.SlurmJob;
import io.github.cfiddlecluster.slurm.SlurmNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything one viewer may see of the cluster, as the pages and the JSON endpoints show it. Another student's
 * experiments appear without their id, name or owner (PrivateData=jobs,usage,users), only as the load they are:
 * a busy worker, a place in the queue, a count in the history.
 *
 * @param viewer  who this is for
 * @param slurm   whether Slurm answers, and since when it does not
 * @param yours   the viewer's own experiments in the controller (pending, running, just ended), queue order first
 * @param workers every worker with its state
 * @param queue   running experiments, then pending ones in the order they will start
 * @param history the last day
 */
public record Overview(Viewer viewer, SlurmStatus slurm, List<QueueEntry> yours, List<WorkerView> workers,
        List<QueueEntry> queue, History history) {

    /** Whether Slurm answers; when it does not, what went wrong and since when (the data is from {@code readAt}). */
    public record SlurmStatus(boolean available, String problem, Instant unavailableSince, Instant readAt,
            String historyProblem) {
    }

    /** A worker: idle, running, down, drained, draining (running, taking no new job), or Slurm's own state. */
    public record WorkerView(String name, String state, Instant since, String reason, Experiment experiment) {
    }

    /** What runs or waits: id, name and user are null for another student's experiment. */
    public record Experiment(Long id, String name, String user, boolean yours) {
    }

    /**
     * An experiment in the queue.
     *
     * @param position       its place among the pending ones (1 starts next), null once running
     * @param estimatedStart when it should start (pending; null when no worker can take it)
     * @param reason         Slurm's reason for the wait (yours only)
     */
    public record QueueEntry(Experiment experiment, String state, Integer position, Instant submitted, Instant started,
            Instant estimatedStart, Instant ended, String worker, String reason) {
    }

    /**
     * The last day, hour by hour (by start), and per user.
     *
     * @param hours      the start of each of the 24 hours
     * @param series     experiments started per hour: one series per user for an admin, "you" and "others" for a student
     * @param users      each user's totals (only the viewer's own row for a student), most experiments first
     * @param everyone   the totals of all users together
     * @param typicalRunSeconds the median run time of the day's completed experiments (null: none yet)
     */
    public record History(List<Instant> hours, List<Series> series, List<UserTotals> users, UserTotals everyone,
            Long typicalRunSeconds) {
    }

    public record Series(String label, int[] counts) {
    }

    /** One user's (or everyone's) day: experiments, how many completed, how many failed, time on workers. */
    public record UserTotals(String user, int experiments, int completed, int failed, long runSeconds) {
    }

    /** The overview of {@code state} for {@code viewer} at {@code now}. */
    public static Overview of(ClusterState state, Viewer viewer, Instant now, int userRunningLimit) {
        Duration typical = typicalRun(state.lastDay());
        List<String> inService = state.nodes().stream()
                .filter(SlurmNode::available)
                .map(SlurmNode::name).toList();
        Duration expected = typical != null ? typical : longestLimit(state.queue());
        Map<Long, QueueEstimator.Estimate> estimates = new LinkedHashMap<>();
        new QueueEstimator(userRunningLimit).estimate(state.queue(), inService, expected, now)
                .forEach(e -> estimates.put(e.jobId(), e));

        List<QueueEntry> queue = new ArrayList<>();
        state.queue().stream().filter(SlurmJob::running).sorted(Comparator.comparing(SlurmJob::started,
                Comparator.nullsLast(Comparator.naturalOrder()))).forEach(j -> queue.add(entry(j, viewer, null)));
        state.queue().stream().filter(SlurmJob::pending).sorted(QueueEstimator.SLURM_ORDER)
                .forEach(j -> queue.add(entry(j, viewer, estimates.get(j.id()))));

        List<QueueEntry> yours = new ArrayList<>(queue.stream().filter(e -> e.experiment().yours()).toList());
        state.queue().stream().filter(j -> viewer.owns(j.user()) && !j.pending() && !j.running())
                .sorted(Comparator.comparing(SlurmJob::ended, Comparator.nullsLast(Comparator.reverseOrder())))
                .forEach(j -> yours.add(entry(j, viewer, null)));

        List<WorkerView> workers = state.nodes().stream().sorted(Comparator.comparing(SlurmNode::name))
                .map(n -> worker(n, state.queue(), viewer)).toList();
        SlurmStatus slurm = new SlurmStatus(state.available(), state.unavailable(), state.unavailableSince(),
                state.readAt(), state.historyProblem());
        return new Overview(viewer, slurm, yours, workers, queue, history(state.lastDay(), viewer, now, typical));
    }

    private static Experiment experiment(SlurmJob job, Viewer viewer) {
        boolean yours = viewer.owns(job.user());
        return viewer.maySeeDetailsOf(job.user()) ? new Experiment(job.id(), job.name(), job.user(), yours)
                : new Experiment(null, null, null, false);
    }

    private static QueueEntry entry(SlurmJob job, Viewer viewer, QueueEstimator.Estimate estimate) {
        boolean details = viewer.maySeeDetailsOf(job.user());
        return new QueueEntry(experiment(job, viewer), job.state(), estimate == null ? null : estimate.position(),
                job.submitted(), job.started(), estimate == null ? null : estimate.start(), job.ended(),
                job.nodes().isEmpty() ? null : job.nodes(), details ? job.reason() : null);
    }

    private static WorkerView worker(SlurmNode node, List<SlurmJob> queue, Viewer viewer) {
        SlurmJob running = queue.stream().filter(SlurmJob::running).filter(j -> node.name().equals(j.nodes())).findFirst().orElse(null);
        String base = node.state();
        boolean busy = base.startsWith("alloc") || base.startsWith("mix") || base.startsWith("compl") || running != null;
        String state;
        Instant since;
        if (base.startsWith("down")) {
            state = "down";
            since = node.reasonSince();
        } else if (node.drained()) {
            state = busy ? "draining" : "drained";
            since = node.reasonSince();
        } else if (busy) {
            state = "running";
            since = running != null ? running.started() : node.lastBusy();
        } else if ("idle".equals(base)) {
            state = "idle";
            since = latest(node.lastBusy(), node.slurmdStarted());
        } else {
            state = base;
            since = node.reasonSince();
        }
        String reason = node.reason().isEmpty() ? null : node.reason();
        return new WorkerView(node.name(), state, since, reason, running == null ? null : experiment(running, viewer));
    }

    private static History history(List<SlurmJob> lastDay, Viewer viewer, Instant now, Duration typical) {
        Instant first = now.truncatedTo(ChronoUnit.HOURS).minus(23, ChronoUnit.HOURS);
        List<Instant> hours = new ArrayList<>();
        for (int h = 0; h < 24; h++) {
            hours.add(first.plus(h, ChronoUnit.HOURS));
        }
        List<SlurmJob> started = lastDay.stream().filter(j -> j.started() != null && !j.started().isBefore(first)).toList();
        List<Series> series = new ArrayList<>();
        if (viewer.admin()) {
            new TreeMap<>(groupByUser(started)).forEach((user, jobs) -> series.add(new Series(user, perHour(jobs, first))));
        } else {
            series.add(new Series("you", perHour(started.stream().filter(j -> viewer.owns(j.user())).toList(), first)));
            series.add(new Series("others", perHour(started.stream().filter(j -> !viewer.owns(j.user())).toList(), first)));
        }
        List<UserTotals> users = groupByUser(lastDay).entrySet().stream()
                .filter(e -> viewer.maySeeDetailsOf(e.getKey()))
                .map(e -> totals(e.getKey(), e.getValue(), now))
                .sorted(Comparator.comparingInt(UserTotals::experiments).reversed().thenComparing(UserTotals::user))
                .toList();
        return new History(hours, series, users, totals(null, lastDay, now), typical == null ? null : typical.toSeconds());
    }

    private static Map<String, List<SlurmJob>> groupByUser(List<SlurmJob> jobs) {
        Map<String, List<SlurmJob>> byUser = new LinkedHashMap<>();
        jobs.forEach(j -> byUser.computeIfAbsent(j.user(), u -> new ArrayList<>()).add(j));
        return byUser;
    }

    private static int[] perHour(List<SlurmJob> jobs, Instant first) {
        int[] counts = new int[24];
        for (SlurmJob job : jobs) {
            int hour = (int) Duration.between(first, job.started()).toHours();
            if (hour >= 0 && hour < 24) {
                counts[hour]++;
            }
        }
        return counts;
    }

    private static UserTotals totals(String user, List<SlurmJob> jobs, Instant now) {
        int completed = (int) jobs.stream().filter(j -> j.finished() && !j.unsuccessful()).count();
        int failed = (int) jobs.stream().filter(SlurmJob::unsuccessful).count();
        long seconds = jobs.stream().map(j -> j.elapsed(now)).filter(Objects::nonNull).mapToLong(Duration::toSeconds).sum();
        return new UserTotals(user, jobs.size(), completed, failed, seconds);
    }

    /** The median run time of the completed experiments (null when there is none). */
    static Duration typicalRun(List<SlurmJob> lastDay) {
        List<Duration> runs = lastDay.stream().filter(j -> "COMPLETED".equals(j.state()))
                .filter(j -> j.started() != null && j.ended() != null)
                .map(j -> Duration.between(j.started(), j.ended())).sorted().toList();
        if (runs.isEmpty()) {
            return null;
        }
        int middle = runs.size() / 2;
        return runs.size() % 2 == 1 ? runs.get(middle) : runs.get(middle - 1).plus(runs.get(middle)).dividedBy(2);
    }

    /** Without any finished experiment to learn from, the longest time limit in the queue: an upper bound. */
    private static Duration longestLimit(List<SlurmJob> queue) {
        return queue.stream().map(SlurmJob::timeLimit).filter(Objects::nonNull).max(Comparator.naturalOrder())
                .orElse(Duration.ofMinutes(1));
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
