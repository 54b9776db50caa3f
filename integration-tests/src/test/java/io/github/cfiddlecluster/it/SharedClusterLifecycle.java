package io.github.cfiddlecluster.it;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test session's bounds on the engine: when it opens, what aborted runs left behind is removed; when it ends,
 * the shared cluster is stopped, while the JVM is still fully alive.
 */
public class SharedClusterLifecycle implements LauncherSessionListener {
    private static final Logger LOG = LoggerFactory.getLogger(SharedClusterLifecycle.class);

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            Leftovers.removeThoseOfAbortedRuns();
        } catch (RuntimeException e) {
            // No engine, for one: the tests that need it say so themselves.
            LOG.warn("Could not look for what aborted test runs left on the engine: {}", e.toString());
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedCluster.stopIfStarted();
    }
}
