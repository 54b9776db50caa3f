package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RegistryLoginTest {
    @Test
    void theDockerCliGetsAConfigurationOnlyItsOwnerCanReadAndItIsGoneAfterwards() throws Exception {
        Path dir;
        try (RegistryLogin login = new RegistryLogin("registry.example.org:5000", "course", "s3cret")) {
            dir = login.dockerConfigDirectory();
            Path config = dir.resolve("config.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
            assertThat(Files.readString(config)).isEqualTo("{\"auths\":{\"registry.example.org:5000\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("course:s3cret".getBytes()) + "\"}}}\n");
            assertThat(login.toString()).contains("course").doesNotContain("s3cret");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void theServerIdIsTheRegistrysHost() {
        assertThat(RegistryLogin.hostOf("registry.example.org:5000/course")).isEqualTo("registry.example.org:5000");
        assertThat(RegistryLogin.hostOf("ghcr.io")).isEqualTo("ghcr.io");
    }
}
