package io.github.cfiddlecluster.slurm;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One node as the controller sees it (sinfo --json).
 *
 * @param state the base state in lower case: idle, mixed, allocated, down, future, unknown, ...
 * @param flags what qualifies it, in upper case: DRAIN, NOT_RESPONDING, COMPLETING, DYNAMIC_NORM, ...
 * @param reason why an operator or Slurm took it out of service, or "" when none
 * @param slurmdStarted when the node's current slurmd registered, or null when it never has
 * @param reasonSince when the reason was set, or null when there is none
 * @param lastBusy when the node last ran a job (Slurm's last_busy), or null when unknown
 */
public record SlurmNode(String name, String state, Set<String> flags, String reason, List<String> partitions,
        Instant slurmdStarted, Instant reasonSince, Instant lastBusy) {
    /** Base states of a node that takes jobs. */
    private static final Set<String> SERVING = Set.of("idle", "mixed", "allocated");
    /** Flags that keep a serving node from taking a job (or say it is not really there). */
    private static final Set<String> OUT_OF_SERVICE = Set.of("DRAIN", "NOT_RESPONDING", "FAIL", "MAINTENANCE",
            "POWER_DOWN", "POWERED_DOWN", "POWERING_DOWN", "POWERING_UP", "REBOOT_ISSUED", "REBOOT_REQUESTED", "RESERVED");

    public SlurmNode {
        state = state.toLowerCase(Locale.ROOT);
        flags = Set.copyOf(flags);
        reason = reason == null ? "" : reason;
        partitions = List.copyOf(partitions);
    }

    /** A node whose reason time and last busy time are not known (or do not matter to the caller). */
    public SlurmNode(String name, String state, Set<String> flags, String reason, List<String> partitions,
            Instant slurmdStarted) {
        this(name, state, flags, reason, partitions, slurmdStarted, null, null);
    }

    /** Takes jobs now: up, responding, not drained, not powering or rebooting (busy counts). */
    public boolean available() {
        return SERVING.contains(state) && flags.stream().noneMatch(OUT_OF_SERVICE::contains);
    }

    /** Available and running nothing. */
    public boolean idle() {
        return "idle".equals(state) && available() && !flags.contains("COMPLETING");
    }

    public boolean drained() {
        return flags.contains("DRAIN");
    }

    /**
     * A short description for people, in sinfo's long-state words: "idle", "allocated", "idle+drain",
     * "down+not_responding".
     */
    public String describe() {
        StringBuilder text = new StringBuilder(state);
        flags.stream().filter(f -> !f.startsWith("DYNAMIC")).sorted()
                .forEach(f -> text.append('+').append(f.toLowerCase(Locale.ROOT)));
        return text.toString();
    }
}
