package io.shardwise.testkit.dynamodb;

import io.shardwise.testkit.dynamodb.internal.FaultDecision;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The engine's fault rules ({@link DynamoDbEngine#faults()}). Every request, through either binding, is checked
 * against the registered rules in registration order: all matching LATENCY rules add their delay, and the first
 * other rule that fires decides the request's failure. Whether a probabilistic rule fires is drawn from one
 * {@link Random} seeded by {@link DynamoDbEngine.Builder#seed(long)}, so the same requests in the same order see the
 * same faults.
 *
 * <p><b>Thread-safety:</b> thread-safe; rules may be added and removed while requests run.
 */
public final class Faults {

    private final List<FaultRule> rules = new CopyOnWriteArrayList<>();
    private final Random random;
    private final List<Consumer<Boolean>> endpointListeners = new CopyOnWriteArrayList<>();

    Faults(long seed) {
        this.random = new Random(seed);
    }

    /** Registers {@code rule} (after the existing ones) and returns it, as a handle for {@link #remove}. */
    public FaultRule add(FaultRule rule) {
        boolean wasDown = endpointDown();
        rules.add(rule);
        notifyIfChanged(wasDown);
        return rule;
    }

    /** Unregisters {@code rule}; a no-op if it is not registered. Removing the last ENDPOINT_DOWN rule brings it back. */
    public void remove(FaultRule rule) {
        boolean wasDown = endpointDown();
        rules.remove(rule);
        notifyIfChanged(wasDown);
    }

    /** Unregisters every rule. */
    public void clear() {
        boolean wasDown = endpointDown();
        rules.clear();
        notifyIfChanged(wasDown);
    }

    /** The registered rules, in order. */
    public List<FaultRule> rules() {
        return List.copyOf(rules);
    }

    /** Whether an unfiltered ENDPOINT_DOWN rule is registered (the whole endpoint is down). */
    public boolean endpointDown() {
        for (FaultRule r : rules) {
            if (r.kind() == FaultKind.ENDPOINT_DOWN && r.unfiltered() && r.probability() == 1 && r.everyNth() == 1
                    && r.maxTimes() == Long.MAX_VALUE) {
                return true;
            }
        }
        return false;
    }

    /** Called with true when the endpoint goes down and false when it comes back (the HTTP binding listens). */
    void onEndpointChange(Consumer<Boolean> listener) {
        endpointListeners.add(listener);
    }

    private void notifyIfChanged(boolean wasDown) {
        boolean down = endpointDown();
        if (down != wasDown) {
            for (Consumer<Boolean> l : endpointListeners) {
                l.accept(down);
            }
        }
    }

    FaultDecision decide(String operation, List<FaultDecision.Target> targets) {
        if (rules.isEmpty()) {
            return FaultDecision.NONE;
        }
        Duration latency = Duration.ZERO;
        FaultRule failure = null;
        for (FaultRule r : rules) {
            if (!matches(r, operation, targets)) {
                continue;
            }
            if (r.kind() != FaultKind.LATENCY && failure != null) {
                continue;
            }
            if (!fires(r)) {
                continue;
            }
            if (r.kind() == FaultKind.LATENCY) {
                latency = latency.plus(r.latency());
            } else {
                failure = r;
            }
        }
        return new FaultDecision(latency, failure);
    }

    private boolean fires(FaultRule r) {
        long n = r.nextMatch();
        if (n % r.everyNth() != 0) {
            return false;
        }
        if (r.probability() < 1) {
            double draw;
            synchronized (random) {
                draw = random.nextDouble();
            }
            if (draw >= r.probability()) {
                return false;
            }
        }
        return r.tryFire();
    }

    private static boolean matches(FaultRule r, String operation, List<FaultDecision.Target> targets) {
        if (!r.operations().isEmpty() && !r.operations().contains(operation)) {
            return false;
        }
        if (r.table() == null && r.key() == null) {
            return true;
        }
        for (FaultDecision.Target t : targets) {
            if ((r.table() == null || r.table().equals(t.table()))
                    && (r.key() == null || (t.key() != null && r.key().test(t.key())))) {
                return true;
            }
        }
        return false;
    }
}
