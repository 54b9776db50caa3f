package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cfiddlecluster.stack.StackNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusterSecretsTest {
    private final ClusterSecrets secrets = new ClusterSecrets(new Random(42));

    @Test
    void theMungeKeyIs1024RandomBytes() {
        byte[] a = secrets.mungeKey();
        assertThat(a).hasSize(1024);
        assertThat(a).isNotEqualTo(secrets.mungeKey());
    }

    @Test
    void theDatabasePasswordNeedsNoQuoting() {
        assertThat(new String(secrets.dbPassword(), StandardCharsets.US_ASCII)).matches("[A-Za-z0-9]{32}");
    }

    @Test
    void onlyMissingSecretsAreCreated() {
        assertThat(ClusterSecrets.missing("lab", List.of("lab_munge_key", "other_db_password", "lab_dashboard_oauth")))
                .containsExactly(java.util.Map.entry(StackNames.DB_PASSWORD, "lab_db_password"));
        assertThat(ClusterSecrets.missing("lab", List.of("lab_munge_key", "lab_db_password", "lab_dashboard_oauth")))
                .isEmpty();
    }
}
