package io.github.cfiddlecluster.it;

/**
 * One cluster for all the suites that only use it (starting one takes most of a minute on a small machine):
 * started on first use, stopped when the test session ends ({@link SharedClusterLifecycle}). Two workers, two extra users, and a short time limit
 * so that the runaway-experiment test ends quickly.
 */
final class SharedCluster {
    static final String ALICE = "alice";
    static final int ALICE_UID = 2001;
    static final String BOB = "bob";
    static final int BOB_UID = 2002;
    static final String TIME_LIMIT = "0:20";
    /** May run maintenance jobs (anything) on workers. */
    static final String ADMIN = "admin";
    static final int ADMIN_UID = 3000;

    private static CfiddleCluster cluster;
    private static RuntimeException failure;

    private SharedCluster() {
    }

    static synchronized CfiddleCluster get() {
        if (failure != null) {
            throw new IllegalStateException("the shared test cluster did not start (see the first failure)", failure);
        }
        if (cluster == null) {
            CfiddleCluster starting = new CfiddleCluster().withWorkers(2)
                    .withUser(ALICE, ALICE_UID).withUser(BOB, BOB_UID).withAdmin(ADMIN, ADMIN_UID).withTimeLimit(TIME_LIMIT);
            try {
                starting.start();
            } catch (RuntimeException e) {
                failure = e;
                starting.stop();
                throw e;
            }
            cluster = starting;
        }
        return cluster;
    }

    static synchronized void stopIfStarted() {
        if (cluster != null) {
            cluster.stop();
            cluster = null;
        }
    }
}
