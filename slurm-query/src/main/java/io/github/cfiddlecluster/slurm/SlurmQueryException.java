package io.github.cfiddlecluster.slurm;

/** Slurm could not be asked (the command did not run, failed, or said something that is not its JSON). */
public class SlurmQueryException extends Exception {
    public SlurmQueryException(String message) {
        super(message);
    }

    public SlurmQueryException(String message, Throwable cause) {
        super(message, cause);
    }
}
