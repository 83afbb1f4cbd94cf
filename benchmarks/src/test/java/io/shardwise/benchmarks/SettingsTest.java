package io.shardwise.benchmarks;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void theFullProfileIsTheReferenceAndMeasuresEveryLatency() {
        Settings s = Settings.parse("profile=full", "output=/tmp/x");
        assertThat(s.isReference()).isTrue();
        assertThat(s.runs()).isEqualTo(3);
        assertThat(s.latencies()).containsExactly(0L, 2L, 5L, 10L);
        assertThat(s.headline()).isEqualTo(5);
        assertThat(s.records()).isEqualTo(1000);
        assertThat(s.large()).isEqualTo(10_000);
        assertThat(s.concurrency()).containsExactly(1, 8, 32);
        assertThat(s.jmh().enabled()).isTrue();
        assertThat(s.isolateAll()).isTrue();
        assertThat(s.fullPairedCpu()).isTrue();
        assertThat(s.output()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void theDefaultProfileIsShorterAndKeepsTheHeadlineScenariosAndTheirTargets() {
        Settings s = Settings.parse("");
        assertThat(s.profile()).isEqualTo("default");
        assertThat(s.isReference()).isTrue();
        assertThat(s.runs()).isEqualTo(1);
        assertThat(s.latencies()).containsExactly(0L, 5L);
        assertThat(s.headline()).isEqualTo(5);
        assertThat(s.records()).isEqualTo(1000);
        assertThat(s.large()).isEqualTo(10_000);
        assertThat(s.isolateAll()).isFalse();
        assertThat(s.fullPairedCpu()).isFalse();
        assertThat(s.jmh().name()).isEqualTo("short");
        assertThat(s.calibration()).isFalse();
    }

    @Test
    void wordsOverrideTheProfileAndTheHeadlineLatencyIsAlwaysMeasured() {
        Settings s = Settings.parse("profile=default runs=2 latencies=10,0 headline=3 jmh=off calibration=on");
        assertThat(s.isReference()).isFalse();
        assertThat(s.runs()).isEqualTo(2);
        assertThat(s.latencies()).containsExactly(0L, 3L, 10L);
        assertThat(s.jmh().enabled()).isFalse();
        assertThat(s.calibration()).isTrue();
    }

    @Test
    void badWordsAreRejectedWithWhatToWrite() {
        assertThatThrownBy(() -> Settings.parse("runs")).hasMessageContaining("key=value");
        assertThatThrownBy(() -> Settings.parse("profile=huge")).hasMessageContaining("profile must be one of");
        assertThatThrownBy(() -> Settings.parse("jmh=some")).hasMessageContaining("full, quick, short or off");
        assertThatThrownBy(() -> Settings.parse("isolate=some")).hasMessageContaining("all or exactly-once");
        assertThat(List.of(Settings.parse("").profile())).containsExactly("default");
    }
}
