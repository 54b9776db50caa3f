package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/** Every image says what it is, in the standard OCI labels. */
class ImageLabelsIT {

    @Test
    void everyImageCarriesItsOciLabels() {
        for (Map.Entry<String, DockerImageName> image : Map.of("cluster", Images.CLUSTER, "user", Images.USER,
                "sandbox", Images.SANDBOX).entrySet()) {
            Map<String, String> labels = DockerClientFactory.instance().client()
                    .inspectImageCmd(image.getValue().asCanonicalNameString()).exec().getConfig().getLabels();
            assertThat(labels).as(image.getKey())
                    .containsEntry("org.opencontainers.image.title", "cfiddle-cluster " + image.getKey())
                    .containsEntry("org.opencontainers.image.version", System.getProperty("cfiddle.version"))
                    .containsKeys("org.opencontainers.image.revision", "org.opencontainers.image.source");
            assertThat(labels.get("org.opencontainers.image.revision")).isNotBlank();
        }
    }
}
