package io.github.cfiddlecluster.it;

/**
 * One cluster for all the suites that only use it (starting one takes most of a minute on a small machine):
 * started on first use, stopped when the test session ends ({@link SharedClusterLifecycle}). Two workers, a few
 * extra users (one of them the hub's admin), a short time limit so that the runaway-experiment test ends quickly,
 * and a short idle timeout so that the idle-server test does too (tests start their servers when they need them).
 */
final class SharedCluster {
    static final String ALICE = "alice";
    static final int ALICE_UID = 2001;
    static final String BOB = "bob";
    static final int BOB_UID = 2002;
    static final String CAROL = "carol";
    static final String DAVE = "dave";
    /** The hub's admin, whose Slurm jobs may also run anything on a worker (maintenance). */
    static final String TEACHER = "teacher";
    static final int TEACHER_UID = 2100;
    static final String TIME_LIMIT = "0:20";
    static final java.time.Duration IDLE_TIMEOUT = java.time.Duration.ofSeconds(30);

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
                    .withUser(ALICE, ALICE_UID).withUser(BOB, BOB_UID).withUser(CAROL, 2003).withUser(DAVE, 2004)
                    .withUser(TEACHER, TEACHER_UID).withAdmins(TEACHER).withTimeLimit(TIME_LIMIT).withIdleTimeout(IDLE_TIMEOUT)
                    .withStudentProcessLimit(200).withDashboard();
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
