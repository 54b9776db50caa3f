package io.github.cfiddlecluster.stack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StackNamesTest {
    @Test
    void workerHostnamesAreWhatHostnameDashSShows() {
        assertThat(StackNames.globalWorkerHostname("node1")).isEqualTo("node1-worker");
        assertThat(StackNames.globalWorkerHostname("node1.example.org")).isEqualTo("node1");
        assertThat(StackNames.replicatedWorkerHostname(2)).isEqualTo("worker-2");
    }
}
