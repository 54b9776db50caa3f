package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ClusterImageIT {

    @Test
    void shipsSlurm2205() {
        OneShot.Result r = OneShot.of(Images.CLUSTER).withEntrypoint("slurmctld").run("-V");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).containsPattern("^slurm(-wlm)? 22\\.05\\.");
    }

    @Test
    void mungeRoundTripsWithAMountedKey() {
        byte[] key = new byte[1024];
        new SecureRandom().nextBytes(key);
        OneShot.Result r = OneShot.of(Images.CLUSTER)
                .withFile("/run/secrets/munge.key", key, 0400)
                .withEntrypoint("bash", "-c")
                .run("source /usr/local/lib/cfiddle-cluster/node-lib.sh && start_munge && munge -n | unmunge");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("STATUS:          Success (0)");
    }

    @Test
    void refusesToStartWithoutAMungeKey() {
        OneShot.Result r = OneShot.of(Images.CLUSTER).run("controller");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("no munge key mounted at /run/secrets/munge.key");
    }

    @Test
    void bakesInNoMungeKey() {
        OneShot.Result r = OneShot.of(Images.CLUSTER).withEntrypoint("sh", "-c").run("ls /etc/munge/munge.key");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
    }

    @Test
    void rejectsAnUnknownRoleWithUsage() {
        OneShot.Result r = OneShot.of(Images.CLUSTER).run("head");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("usage:").contains("controller");
    }
}
