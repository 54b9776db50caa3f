package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.MountableFile;

class SandboxImageIT {

    @Test
    void runsAsANonRootUserByDefault() {
        OneShot.Result r = OneShot.of(Images.SANDBOX).withEntrypoint("id").run("-u");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Integer.parseInt(r.stdout().strip())).isNotZero();
    }

    @Test
    void hasCfiddleRun() {
        OneShot.Result r = OneShot.of(Images.SANDBOX).withEntrypoint("cfiddle-run").run("--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("--runner").contains("--results");
    }

    @Test
    void hasNoCompilerSlurmOrDocker() {
        OneShot.Result r = OneShot.of(Images.SANDBOX).withEntrypoint("sh", "-c")
                .run("for t in cc g++ srun slurmd docker sudo; do command -v $t; done; gcc -c /dev/null");
        assertThat(r.stdout()).isBlank();
        assertThat(r.stderr()).contains("has no compiler");
    }

    /**
     * The common base's promise: a .so that cfiddle builds on the user node runs in the sandbox. And the modules
     * the sandbox defers (pandas and the rest, what makes a warm sandbox slow to start) stay unloaded throughout.
     */
    @Test
    void runsAnExperimentBuiltInTheUserImage(@TempDir Path shared) throws Exception {
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (GenericContainer<?> userNode = new GenericContainer<>(Images.USER)
                .withLabels(TestLabels.ofThisRun())
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sleep", "infinity"))
                .withFileSystemBind(shared.toString(), "/shared", BindMode.READ_WRITE)) {
            userNode.start();
            for (String script : new String[] {"cfiddle_test_support.py", "pack_experiment.py", "unpack_results.py"}) {
                userNode.copyFileToContainer(MountableFile.forClasspathResource("experiments/" + script, 0644),
                        "/opt/cfiddle-tests/" + script);
            }
            succeed(userNode.execInContainer("sh", "-c",
                    "cd /tmp && python3 /opt/cfiddle-tests/pack_experiment.py /shared/experiment.tar"));

            OneShot.Result sandbox = OneShot.of(Images.SANDBOX)
                    .withEntrypoint("sh", "-c")
                    .withBind(shared, "/shared")
                    .withTmpFs("/work")
                    .withResource("experiments/sandbox_run_reporting_imports.py", "/opt/sandbox_run_reporting_imports.py")
                    .run("{ echo cfiddle-experiment deadline=60; cat /shared/experiment.tar; } "
                            + "| python3 -I /opt/sandbox_run_reporting_imports.py >/shared/results.tar");
            assertThat(sandbox.exitCode()).as(sandbox.toString()).isZero();
            assertThat(sandbox.stderr()).contains("loaded after the experiment: []");

            JsonNode result = ScriptResult.parse(succeed(userNode.execInContainer(
                    "python3", "/opt/cfiddle-tests/unpack_results.py", "/shared/results.tar")));
            assertThat(ScriptResult.longs(result.get("returns")))
                    .isEqualTo(ScriptResult.longs(result.get("args")).stream().map(ScriptResult::polynomial).toList())
                    .isNotEmpty();
        }
    }

    private static String succeed(ExecResult r) throws IOException {
        assertThat(r.getExitCode()).as(r.getStdout() + r.getStderr()).isZero();
        return r.getStdout();
    }
}
