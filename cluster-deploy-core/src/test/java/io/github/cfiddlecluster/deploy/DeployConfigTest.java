package io.github.cfiddlecluster.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        assertThat(DeployConfig.builder().cluster(c -> c.defaultTime("7")).build().cluster().timeLimit()).isEqualTo("7");
        assertThat(DeployConfig.builder().cluster(c -> c.defaultTime("7").timeLimit("3")).build().cluster().timeLimit())
                .isEqualTo("3");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        DeployConfig bad = DeployConfig.builder().stackName("Bad Name").imageTag("no tag").timeout(Duration.ZERO)
                .registry("http://x").cluster(c -> c.workers(-1).jupyterPort(70000).defaultTime("soon").maxTime("30")
                        .timeLimit("45").sandboxMemory("lots").sandboxPids(0)).build();
        assertThatThrownBy(bad::validate).isInstanceOfSatisfying(DeployException.InvalidConfiguration.class,
                e -> assertThat(e.problems()).hasSize(10).anySatisfy(p -> assertThat(p).contains("cfiddle.stackName"))
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.timeLimit 45 min exceeds cfiddle.maxTime 30"))
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.registry")));
    }

    @Test
    void fairUseLimitsMustMakeSense() {
        DeployConfig bad = DeployConfig.builder().cluster(c -> c.userRunningLimit(0).userSubmitLimit(-1).sandboxOutputLimit("much")).build();
        assertThatThrownBy(bad::validate).isInstanceOfSatisfying(DeployException.InvalidConfiguration.class,
                e -> assertThat(e.problems()).hasSize(3)
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.userRunningLimit must be at least 1"))
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.userSubmitLimit -1 is below cfiddle.userRunningLimit"))
                        .anySatisfy(p -> assertThat(p).contains("cfiddle.sandboxOutputLimit 'much'")));
        assertThatCode(() -> DeployConfig.builder().cluster(c -> c.userRunningLimit(2).userSubmitLimit(2)
                .sandboxOutputLimit("1g")).build().validate()).doesNotThrowAnyException();
    }

    @Test
    void theUserNodeLeavesTheHubRoomBeyondOneStudentAtTheirLimit() {
        assertThatCode(() -> DeployConfig.builder().cluster(c -> c.studentProcessLimit(512).userNodeProcessLimit(768))
                .build().validate()).doesNotThrowAnyException();
        DeployConfig bad = DeployConfig.builder().cluster(c -> c.studentProcessLimit(1024).userNodeProcessLimit(1000)).build();
        assertThatThrownBy(bad::validate).isInstanceOfSatisfying(DeployException.InvalidConfiguration.class,
                e -> assertThat(e.problems()).singleElement().asString()
                        .contains("cfiddle.userNodeProcessLimit 1000 is below cfiddle.studentProcessLimit 1024 + 256"));
    }

    @Test
    void slurmTimesInTheirUsualForms() {
        for (String t : new String[] {"5", "5:30", "1:00:00", "1-0", "2-12:00:00"}) {
            assertThatCode(() -> DeployConfig.builder().cluster(c -> c.defaultTime("1").maxTime(t).timeLimit("1")).build().validate())
                    .as(t).doesNotThrowAnyException();
        }
        assertThatCode(() -> DeployConfig.builder().cluster(c -> c.maxTime("UNLIMITED")).build().validate()).doesNotThrowAnyException();
    }

    @Test
    void aUsersFileFollowsTheNodesRules() throws IOException {
        Path users = write("# accounts\nstudent:1000:1000\nalice:1001:1001  # a comment\n\n");
        assertThatCode(() -> DeployConfig.builder().usersFile(users).build().validate()).doesNotThrowAnyException();

        assertThat(UsersFile.problems(write("student:1000:1000\nBob:1001:1001\nroot:0:0\n")))
                .hasSize(2).anySatisfy(p -> assertThat(p).contains("line 2").contains("name:uid:gid"))
                .anySatisfy(p -> assertThat(p).contains("line 3").contains("at least 1000"));
        assertThat(UsersFile.problems(write("student:1000:1000\nalice:1000:1000\n")))
                .singleElement().asString().contains("uid 1000 is listed twice");
        assertThat(UsersFile.problems(dir.resolve("missing")))
                .singleElement().asString().contains("cannot be read");
    }

    private static final String HASH = "$6$abcdefgh$abcdefghijklmnopqrstuvwxyz0123456789./ABCDEF";

    @Test
    void aPasswordsFileHasAHashForEveryAccountAndNothingElse() throws IOException {
        Path users = write("student:1000:1000\nalice:2001:2001\nbob:2002:2002\n");
        Path good = write("# students\nstudent:" + HASH + "\nalice:" + HASH + "\n\nbob:$y$j9T$abcdefghijkl$mnopqrstuvwxyz\n");
        assertThatCode(() -> DeployConfig.builder().usersFile(users).passwordsFile(good).build().validate())
                .doesNotThrowAnyException();

        Path bad = write("student:" + HASH + "\nalice:hunter2\nstudent:" + HASH + "\ncarol:" + HASH + "\nnot a line\n");
        assertThatThrownBy(() -> DeployConfig.builder().usersFile(users).passwordsFile(bad).build().validate())
                .isInstanceOfSatisfying(DeployException.InvalidConfiguration.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains(bad + " line 2").contains("not a crypt hash")
                                .doesNotContain("hunter2"))
                        .anySatisfy(p -> assertThat(p).contains("line 3").contains("student is listed twice"))
                        .anySatisfy(p -> assertThat(p).contains("line 4").contains("carol is not one of the cluster's accounts"))
                        .anySatisfy(p -> assertThat(p).contains("line 5").contains("not name:crypt-hash"))
                        .anySatisfy(p -> assertThat(p).contains(users + " line 3").contains("bob has no password")));
    }

    @Test
    void withoutAUsersFileTheImagesAccountNeedsAPassword() throws IOException {
        Path none = write("# nobody\n");
        assertThatThrownBy(() -> DeployConfig.builder().passwordsFile(none).build().validate())
                .hasMessageContaining("student has no password");
    }

    @Test
    void adminsAreAccounts() throws IOException {
        Path users = write("student:1000:1000\nteacher:2000:2000\n");
        DeployConfig config = DeployConfig.builder().usersFile(users).cluster(c -> c.admins(" teacher, ")).build();
        assertThat(config.admins()).containsExactly("teacher");
        assertThatCode(config::validate).doesNotThrowAnyException();
        assertThatThrownBy(() -> config.toBuilder().cluster(c -> c.admins("teacher,root")).build().validate())
                .hasMessageContaining("cfiddle.admins names root");
    }

    @Test
    void theHubHostIsAHostNameWithoutSchemeOrPort() {
        for (String bad : List.of("http://hub.example.edu", "hub.example.edu:8888", "hub example", "", "-hub.example.edu")) {
            assertThatThrownBy(() -> DeployConfig.builder().cluster(c -> c.hubHost(bad)).build().validate()).as(bad)
                    .hasMessageContaining("cfiddle.hubHost");
        }
        DeployConfig.builder().cluster(c -> c.hubHost("hub.example.edu")).build();
    }

    @Test
    void theIdleTimeoutIsAtLeastTenSeconds() {
        assertThatThrownBy(() -> DeployConfig.builder().cluster(c -> c.idleTimeoutSeconds(5)).build().validate())
                .hasMessageContaining("cfiddle.idleTimeout");
    }

    private Path write(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "users", ""), content);
    }
}
