package io.github.cfiddlecluster.it;

import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the last lines of the dashboard's log, and the other nodes', when a dashboard test fails. */
final class DashboardLogOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<String> lines = SharedCluster.get().dashboardLog().lines().toList();
        System.err.println("--- the dashboard's log (last 40 lines) after " + context.getDisplayName());
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
        System.err.println(SharedCluster.get().logsTail());
    }
}
