package io.github.cfiddlecluster.stack;

import static io.github.cfiddlecluster.stack.ComposeInterpolation.interpolate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ComposeInterpolationTest {
    @Test
    void substitutesBracedAndPlainVariables() {
        assertThat(interpolate("image: ${IMAGE} tag $TAG", Map.of("IMAGE", "a/b", "TAG", "1")))
                .isEqualTo("image: a/b tag 1");
    }

    @Test
    void colonDashDefaultAppliesWhenUnsetOrEmpty() {
        assertThat(interpolate("${A:-x}/${B:-y}", Map.of("B", ""))).isEqualTo("x/y");
    }

    @Test
    void dashDefaultAppliesOnlyWhenUnset() {
        assertThat(interpolate("[${A-x}][${B-y}]", Map.of("B", ""))).isEqualTo("[x][]");
    }

    @Test
    void keepsEscapedDollarsForTheSecondInterpolationByDocker() {
        assertThat(interpolate("s=$$(hostname -s)", Map.of())).isEqualTo("s=$$(hostname -s)");
    }

    @Test
    void escapesDollarsInValues() {
        assertThat(interpolate("pw: ${PW}", Map.of("PW", "a$b"))).isEqualTo("pw: a$$b");
    }

    @Test
    void rejectsAVariableWithoutValueOrDefault() {
        assertThatThrownBy(() -> interpolate("a\nimage: ${IMAGE}", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("${IMAGE}")
                .hasMessageContaining("line 2");
    }

    @Test
    void leavesCommentLinesAlone() {
        assertThat(interpolate("  # uses ${UNSET} and $(x)\nv: ${A}", Map.of("A", "1"))).isEqualTo("  # uses ${UNSET} and $(x)\nv: 1");
    }

    @Test
    void rejectsALoneDollar() {
        assertThatThrownBy(() -> interpolate("echo $(date)", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$$");
    }
}
