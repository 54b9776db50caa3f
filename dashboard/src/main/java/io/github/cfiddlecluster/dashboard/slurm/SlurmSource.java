package io.github.cfiddlecluster.dashboard.slurm;

import java.util.List;

/**
 * Where the dashboard reads the cluster from: the seam between the pages and how Slurm is asked (the commands'
 * --json output in the dashboard's container; recorded outputs in unit tests).
 */
public interface SlurmSource {

    /** Every worker the controller knows. */
    List<Node> nodes() throws SlurmUnavailableException;

    /** Every job the controller holds (pending, running, and recently ended). */
    List<Job> queue() throws SlurmUnavailableException;

    /** Every job accounting recorded over the last day, all users. */
    List<Job> lastDay() throws SlurmUnavailableException;
}
