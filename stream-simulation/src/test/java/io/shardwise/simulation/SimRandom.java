package io.shardwise.simulation;

import java.util.List;
import java.util.SplittableRandom;

/** The schedule's one source of choices; used only by the thread holding the baton (or the driver). */
final class SimRandom {
    private final SplittableRandom random;

    SimRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    int below(int n) {
        return random.nextInt(n);
    }

    /** Uniform in [lo, hi]. */
    int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    boolean chance(double p) {
        return p > 0 && random.nextDouble() < p;
    }

    <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }
}
