package io.github.cfiddlecluster.it;

import org.testcontainers.utility.DockerImageName;

/** The Docker engines a simulated host can run: the docker-host images, one per Debian release. */
enum DockerHostImage {
    /** Debian bookworm's docker.io: engine 20.10, API 1.41 (what this machine runs). */
    BOOKWORM("cfiddle.image.dockerHost.bookworm", "cfiddle-cluster/docker-host-bookworm:latest"),
    /** Debian trixie's docker.io: engine 26.1, API 1.45. */
    TRIXIE("cfiddle.image.dockerHost.trixie", "cfiddle-cluster/docker-host-trixie:latest");

    final DockerImageName image;

    DockerHostImage(String property, String fallback) {
        this.image = DockerImageName.parse(System.getProperty(property, fallback));
    }
}
