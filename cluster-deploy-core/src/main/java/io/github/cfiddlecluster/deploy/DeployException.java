package io.github.cfiddlecluster.deploy;

/**
 * Why a deploy, undeploy or status did not happen. Each subclass is one kind of problem, so that a front end (the
 * Maven plugin, a test) can say what to do about it in its own terms; the message states the facts.
 */
public class DeployException extends Exception {
    public DeployException(String message) {
        super(message);
    }

    public DeployException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No Docker engine answered. */
    public static final class EngineUnreachable extends DeployException {
        public EngineUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The engine is in no swarm, or in one as a worker (stacks are deployed from a manager). */
    public static final class NotSwarmManager extends DeployException {
        private final boolean inSwarm;

        public NotSwarmManager(String message, boolean inSwarm) {
            super(message);
            this.inSwarm = inSwarm;
        }

        /** False: no swarm at all (initSwarm would create one); true: this node is a swarm worker. */
        public boolean inSwarm() {
            return inSwarm;
        }
    }

    /** Images the stack needs are not on the engine. */
    public static final class MissingImages extends DeployException {
        private final java.util.List<String> images;

        public MissingImages(java.util.List<String> images) {
            super("images not found on the Docker engine: " + String.join(", ", images));
            this.images = java.util.List.copyOf(images);
        }

        public java.util.List<String> images() {
            return images;
        }
    }

    /** No swarm node may run workers, and the swarm has several nodes (so none is chosen silently). */
    public static final class NoWorkerNode extends DeployException {
        public NoWorkerNode(String message) {
            super(message);
        }
    }

    /** The notebook port is taken by something that is not this stack. */
    public static final class PortInUse extends DeployException {
        private final int port;

        public PortInUse(int port, String holder) {
            super("port " + port + " is already in use by " + holder);
            this.port = port;
        }

        public int port() {
            return port;
        }
    }

    /** Something not created by this stack already has one of its names. */
    public static final class NameClash extends DeployException {
        public NameClash(String message) {
            super(message);
        }
    }

    /** The settings themselves are wrong (nothing was asked of Docker). */
    public static final class InvalidConfiguration extends DeployException {
        private final java.util.List<String> problems;

        public InvalidConfiguration(java.util.List<String> problems) {
            super(String.join("; ", problems));
            this.problems = java.util.List.copyOf(problems);
        }

        public java.util.List<String> problems() {
            return problems;
        }
    }

    /** The stack was deployed but did not become ready before the deadline. */
    public static final class NotReadyInTime extends DeployException {
        private final String service;
        private final java.util.List<String> logTail;

        public NotReadyInTime(String message, String service, java.util.List<String> logTail) {
            super(message);
            this.service = service;
            this.logTail = java.util.List.copyOf(logTail);
        }

        /** The first service (in start order) that was not ready, or null when the services were and workers were not. */
        public String service() {
            return service;
        }

        public java.util.List<String> logTail() {
            return logTail;
        }
    }

    /** A docker CLI command (stack deploy/rm, push) failed. */
    public static final class DockerCommandFailed extends DeployException {
        private final String output;
        private final boolean cliMissing;

        public DockerCommandFailed(String message, String output, boolean cliMissing) {
            super(message);
            this.output = output;
            this.cliMissing = cliMissing;
        }

        /** The docker CLI could not be started at all. */
        public boolean cliMissing() {
            return cliMissing;
        }

        public String output() {
            return output;
        }
    }

    /** The engine answered with an error to a request it should have accepted. */
    public static final class EngineError extends DeployException {
        public EngineError(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
