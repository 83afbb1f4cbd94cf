package io.shardwise.kinesis.reliability;

import io.shardwise.kinesis.reliability.Scenario.Fault;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Decides, at each injection point, whether a fault happens: with the scenario's probability for that point,
 * while the run's fault budget lasts (so every run ends: once the budget is spent, the system must converge).
 * Deterministic for sequential runs (one seeded random); concurrent invocations draw in whatever order their
 * threads arrive. Thread-safe.
 */
final class Faults {
    private final Random random;
    private final Map<Fault, Double> probability;
    private int budget;
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final List<String> log = new ArrayList<>();

    Faults(Scenario scenario) {
        this.random = new Random(scenario.seed * 31 + 7);
        this.probability = new EnumMap<>(scenario.probability);
        this.budget = scenario.faultBudget;
    }

    /** Whether the fault happens now; spends one unit of budget if so. */
    synchronized boolean inject(Fault fault, String where) {
        double p = probability.getOrDefault(fault, 0.0);
        if (budget <= 0 || p <= 0 || random.nextDouble() >= p) {
            return false;
        }
        budget--;
        injected.merge(fault, 1, Integer::sum);
        log.add(fault + " at " + where);
        return true;
    }

    /** A draw that costs no budget (for choices that are not faults, such as running slots concurrently). */
    synchronized boolean chance(Fault fault) {
        double p = probability.getOrDefault(fault, 0.0);
        return p > 0 && random.nextDouble() < p;
    }

    synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    synchronized boolean nextBoolean() {
        return random.nextBoolean();
    }

    synchronized Map<Fault, Integer> injected() {
        return new EnumMap<>(injected);
    }

    synchronized List<String> log() {
        return List.copyOf(log);
    }

    synchronized int total() {
        return injected.values().stream().mapToInt(Integer::intValue).sum();
    }
}
