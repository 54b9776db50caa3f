package io.github.cfiddlecluster.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command-line runner behind docker stack deploy, push and rm, and Slurm's commands: real processes, no Docker. */
class CommandRunnerTest {
    @Test
    void collectsOutputAndExitCode() throws Exception {
        CommandRunner.Result result = CommandRunner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                Map.of(), Duration.ofSeconds(30));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.output()).isEqualTo("out\nerr\n");
    }

    @Test
    void aProgramThatHangsIsStoppedAtTheDeadlineWithWhatItWrote() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> CommandRunner.run(List.of("sh", "-c", "echo started; exec sleep 600"), Map.of(),
                Duration.ofMillis(500)))
                .isInstanceOfSatisfying(CommandRunner.TimedOut.class, e -> assertThat(e.output()).contains("started"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void moreOutputThanAPipeHoldsDoesNotBlockTheProgram() throws Exception {
        CommandRunner.Result result = CommandRunner.run(List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\\\0' x"),
                Map.of(), Duration.ofSeconds(30));
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).hasSize(1_000_000);
    }

    @Test
    void theEnvironmentReachesTheProgram() throws Exception {
        assertThat(CommandRunner.run(List.of("sh", "-c", "echo $CFIDDLE_PROBE"), Map.of("CFIDDLE_PROBE", "here"),
                Duration.ofSeconds(30)).stdout()).isEqualTo("here\n");
    }

    @Test
    void binaryInputReachesTheProgramUnchanged() throws Exception {
        byte[] input = new byte[256];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) i;
        }
        CommandRunner.Result result = CommandRunner.run(List.of("sh", "-c", "od -An -v -tx1 | tr -d ' \\n'"), Map.of(),
                input, Duration.ofSeconds(30));
        assertThat(result.stdout()).isEqualTo(java.util.HexFormat.of().formatHex(input));
    }
}
