package io.github.cfiddlecluster.dashboard;

import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When each pending experiment should start: replays Slurm's rules on the current queue. Each job takes a whole
 * worker (the partition is exclusive); pending jobs start in Slurm's order (priority, then submission); a user
 * has at most {@code userRunningLimit} jobs running (the partition's QOS), so a job whose owner is at the limit
 * waits for the owner's own job even when a worker is free, and the next user's job may pass it. Every job is
 * expected to run for the typical run time of the day's finished experiments (capped by its time limit), since
 * experiments take seconds and time limits minutes.
 */
public final class QueueEstimator {
    private final int userRunningLimit;

    public QueueEstimator(int userRunningLimit) {
        if (userRunningLimit < 1) {
            throw new IllegalArgumentException("the per-user running limit must be at least 1, not " + userRunningLimit);
        }
        this.userRunningLimit = userRunningLimit;
    }

    /** One pending job's place: its 1-based position in the queue and its expected start (null: no worker). */
    public record Estimate(long jobId, int position, Instant start) {
    }

    /** The pending jobs in the order Slurm considers them: higher priority first, then earlier submission, then id. */
    public static final Comparator<SlurmJob> SLURM_ORDER = Comparator.comparingLong(SlurmJob::priority).reversed()
            .thenComparing(SlurmJob::submitted, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparingLong(SlurmJob::id);

    /**
     * @param jobs     the controller's jobs (pending and running ones are used)
     * @param workers  the workers that can take jobs (in service: not down, not drained)
     * @param typical  how long one experiment is expected to run
     * @param now      the present
     * @return an estimate for every pending job, in queue order
     */
    public List<Estimate> estimate(List<SlurmJob> jobs, List<String> workers, Duration typical, Instant now) {
        Map<String, Instant> workerFree = new LinkedHashMap<>();
        workers.forEach(w -> workerFree.put(w, now));
        Map<String, PriorityQueue<Instant>> userEnds = new HashMap<>();
        for (SlurmJob job : jobs) {
            if (job.running()) {
                Instant end = expectedEnd(job, job.started() != null ? job.started() : now, typical, now);
                if (workerFree.containsKey(job.nodes())) {
                    workerFree.put(job.nodes(), end);
                }
                userEnds.computeIfAbsent(job.user(), u -> new PriorityQueue<>()).add(end);
            }
        }
        List<SlurmJob> pending = jobs.stream().filter(SlurmJob::pending).sorted(SLURM_ORDER).toList();
        List<Estimate> estimates = new ArrayList<>();
        int position = 0;
        for (SlurmJob job : pending) {
            position++;
            if (workerFree.isEmpty()) {
                estimates.add(new Estimate(job.id(), position, null));
                continue;
            }
            PriorityQueue<Instant> owned = userEnds.computeIfAbsent(job.user(), u -> new PriorityQueue<>());
            // The owner's earliest moment with a free running slot.
            Instant ownerFree = now;
            while (owned.size() >= userRunningLimit) {
                ownerFree = later(ownerFree, owned.poll());
            }
            final Instant notBefore = ownerFree;
            // The worker free latest by then (so earlier-free workers stay for others), else the earliest one.
            String worker = workerFree.entrySet().stream().filter(e -> !e.getValue().isAfter(notBefore))
                    .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElseGet(() -> workerFree.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey());
            Instant start = later(notBefore, workerFree.get(worker));
            Instant end = expectedEnd(job, start, typical, now);
            workerFree.put(worker, end);
            owned.add(end);
            estimates.add(new Estimate(job.id(), position, start));
        }
        return estimates;
    }

    private static Instant expectedEnd(SlurmJob job, Instant start, Duration typical, Instant now) {
        Duration run = job.timeLimit() != null && job.timeLimit().compareTo(typical) < 0 ? job.timeLimit() : typical;
        return later(now, start.plus(run));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
