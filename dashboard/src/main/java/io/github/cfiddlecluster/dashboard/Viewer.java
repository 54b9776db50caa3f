package io.github.cfiddlecluster.dashboard;

/**
 * Who looks at the dashboard: a cluster account (logged in through the hub). An admin (CFIDDLE_ADMINS) sees every
 * job as Slurm's operators do; anyone else sees the details of their own jobs only, as PrivateData=jobs,usage,users
 * has it in Slurm.
 */
public record Viewer(String name, boolean admin) {

    public boolean owns(String user) {
        return name.equals(user);
    }

    public boolean maySeeDetailsOf(String user) {
        return admin || owns(user);
    }
}
