package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployConfigTest {
    @TempDir Path dir;

    @Test
    void theDefaultsAreValid() {
        assertThatCode(() -> DeployConfig.builder().build().validate()).doesNotThrowAnyException();
    }

    @Test
    void imagesAreLocalUnlessThereIsARegistry() {
        DeployConfig local = DeployConfig.builder().imageTag("0.1.0-SNAPSHOT").build();
        assertThat(local.stackImage("cluster")).isEqualTo("cfiddle-cluster/cluster:0.1.0-SNAPSHOT");
        DeployConfig pushed = local.toBuilder().registry("reg.example:5000").build();
        assertThat(pushed.localImage("user")).isEqualTo("cfiddle-cluster/user:0.1.0-SNAPSHOT");
        assertThat(pushed.stackImage("user")).isEqualTo("reg.example:5000/cfiddle-cluster/user:0.1.0-SNAPSHOT");
        assertThat(local.toBuilder().registry(" ").build().registry()).isNull();
    }

    @Test
    void theExperimentTimeLimitDefaultsToTheDefaultTime() {
        assertThat(DeployConfig.builder().defaultTime("7").build().timeLimit()).isEqualTo("7");
        assertThat(DeployConfig.builder().defaultTime("7").timeLimit("3").build().timeLimit()).isEqualTo("3");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        DeployConfig bad = DeployConfig.builder().stackName("Bad Name").imageTag("no tag").workers(-1)
                .timeout(Duration.ZERO).jupyterPort(70000).defaultTime("soon").maxTime("30").timeLimit("45")
                .sandboxMemory("lots").sandboxPids(0).registry("http://x").build();
        assertThatThrownBy(bad::validate).isInstanceOfSatisfying(DeployException.InvalidConfiguration.class,
                e -> assertThat(e.problems()).hasSize(10).anySatisfy(p -> assertThat(p).contains("cfiddle.stackName"))
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.timeLimit 45 min exceeds cfiddle.maxTime 30"))
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.registry")));
    }

    @Test
    void slurmTimesInTheirUsualForms() {
        for (String t : new String[] {"5", "5:30", "1:00:00", "1-0", "2-12:00:00"}) {
            assertThatCode(() -> DeployConfig.builder().defaultTime("1").maxTime(t).timeLimit("1").build().validate())
                    .as(t).doesNotThrowAnyException();
        }
        assertThatCode(() -> DeployConfig.builder().maxTime("UNLIMITED").build().validate()).doesNotThrowAnyException();
    }

    @Test
    void aUsersFileFollowsTheNodesRules() throws IOException {
        Path users = write("# accounts\nstudent:1000:1000\nalice:1001:1001  # a comment\n\n");
        assertThatCode(() -> DeployConfig.builder().usersFile(users).build().validate()).doesNotThrowAnyException();

        assertThat(DeployConfig.usersFileProblems(write("student:1000:1000\nBob:1001:1001\nroot:0:0\n")))
                .hasSize(2).anySatisfy(p -> assertThat(p).contains("line 2").contains("name:uid:gid"))
                .anySatisfy(p -> assertThat(p).contains("line 3").contains("at least 1000"));
        assertThat(DeployConfig.usersFileProblems(write("student:1000:1000\nalice:1000:1000\n")))
                .singleElement().asString().contains("uid 1000 is listed twice");
        assertThat(DeployConfig.usersFileProblems(write("alice:1001:1001\n")))
                .singleElement().asString().contains("must list student");
        assertThat(DeployConfig.usersFileProblems(dir.resolve("missing")))
                .singleElement().asString().contains("cannot be read");
    }

    private Path write(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "users", ""), content);
    }
}
