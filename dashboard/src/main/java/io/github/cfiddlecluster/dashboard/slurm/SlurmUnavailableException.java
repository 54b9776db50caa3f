package io.github.cfiddlecluster.dashboard.slurm;

/** Slurm did not answer, or answered something that is not its JSON: the message says which and what it said. */
public class SlurmUnavailableException extends Exception {
    public SlurmUnavailableException(String message) {
        super(message);
    }

    public SlurmUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
