package io.github.cfiddlecluster.it;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;

/** One line of {@code sacct --parsable2 --format=JobID,User,State,NodeList,Start,End,ExitCode}. */
public record SlurmJob(String id, String user, String state, String node, LocalDateTime start, LocalDateTime end,
                       String exitCode) {

    static SlurmJob parse(String line) {
        String[] f = line.split("\\|", -1);
        return new SlurmJob(f[0], f[1], f[2], f[3], time(f[4]), time(f[5]), f[6]);
    }

    private static LocalDateTime time(String text) {
        try {
            return LocalDateTime.parse(text);
        } catch (DateTimeParseException e) {
            return null; // "Unknown" or "None" while a job is pending or running
        }
    }

    public long number() {
        return Long.parseLong(id);
    }
}
