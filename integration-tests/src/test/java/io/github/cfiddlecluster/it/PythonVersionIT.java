package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One base for all images: the same Python (and so the same pickles, glibc and libstdc++) everywhere. */
class PythonVersionIT {

    @Test
    void isIdenticalInAllImages() {
        List<String> versions = List.of(Images.CLUSTER, Images.USER, Images.SANDBOX).stream()
                .map(image -> OneShot.of(image).withEntrypoint("python3").run("-c",
                        "import sys, platform; print(sys.version, platform.libc_ver())"))
                .peek(r -> assertThat(r.exitCode()).as(r.toString()).isZero())
                .map(r -> r.stdout().strip())
                .toList();
        assertThat(versions).hasSize(3).allMatch(v -> v.equals(versions.get(0)));
        assertThat(versions.get(0)).startsWith("3.");
    }
}
