package io.github.cfiddlecluster.deploy;

/** Where the core says what it does: INFO what is happening, DEBUG how. */
public interface DeployLog {
    void info(String message);

    void warn(String message);

    void debug(String message);

    /** Prints nothing (tests). */
    DeployLog SILENT = new DeployLog() {
        @Override public void info(String message) {}
        @Override public void warn(String message) {}
        @Override public void debug(String message) {}
    };
}
