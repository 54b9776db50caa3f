package io.github.cfiddlecluster.it;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared cluster when the test session ends, while the JVM is still fully alive. */
public class SharedClusterLifecycle implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedCluster.stopIfStarted();
    }
}
