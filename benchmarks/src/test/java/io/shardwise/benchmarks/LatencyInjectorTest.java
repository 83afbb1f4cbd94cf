package io.shardwise.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatencyInjectorTest {

    @Test
    void waitsAtLeastTheSetLatencyBeforeEachTransmission() {
        LatencyInjector injector = new LatencyInjector();
        injector.set(3);
        long t0 = System.nanoTime();
        injector.beforeTransmission(null, null);
        long waited = System.nanoTime() - t0;
        assertThat(waited).isGreaterThanOrEqualTo(3_000_000L);
        assertThat(injector.millis()).isEqualTo(3);
    }

    @Test
    void zeroTurnsItOffAndNegativeIsRefused() {
        LatencyInjector injector = new LatencyInjector();
        injector.set(0);
        long t0 = System.nanoTime();
        injector.beforeTransmission(null, null);
        assertThat(System.nanoTime() - t0).isLessThan(3_000_000L);
        assertThatThrownBy(() -> injector.set(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
