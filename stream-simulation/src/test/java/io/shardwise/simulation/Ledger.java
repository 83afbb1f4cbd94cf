package io.shardwise.simulation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processor's effects as the simulation saw them happen (the processor's own side effects: in TRANSACTIONAL
 * mode the exactly-once effect is the staged write, checked on the engine's table instead), the parked records the
 * sink accepted, the records Lambda gave up on, and every disruption an invocation suffered (what the documented
 * at-least-once bounds allow an extra run for). Driver and baton holder only.
 */
final class Ledger {

    /** One processor run that did its effect. {@code identity}: the dedup key (or position without a store). */
    record Effect(long order, long time, String identity, Shard.Unit unit, int invocation) {}

    /** Something that, per docs/dedup.md, may make a record run once more. */
    record Disruption(long order, int invocation, String what) {}

    record Parked(long order, long time, io.shardwise.core.sink.ParkedRecord record, int invocation) {}

    record GivenUp(long order, long time, String seq, String why) {}

    private long counter;
    final List<Effect> effects = new ArrayList<>();
    final List<Disruption> disruptions = new ArrayList<>();
    final List<Parked> parked = new ArrayList<>();
    final List<GivenUp> givenUp = new ArrayList<>();
    final Map<String, String> violations = new LinkedHashMap<>();
    /** Processor calls per identity (failed ones included). */
    final Map<String, Integer> calls = new LinkedHashMap<>();
    /** The identities each invocation called the processor for. */
    final Map<Integer, java.util.Set<String>> calledBy = new LinkedHashMap<>();
    /**
     * Claims whose runtime died before the processor was called for them, per identity: the lane had claimed the
     * record and was still on it when another lane crashed the runtime. The store cannot tell such an attempt from
     * one that died in the processor, so the next claim counts it (docs/engine.md, "An attempt counts even when it
     * never finished").
     */
    final Map<String, Integer> abandonedClaims = new LinkedHashMap<>();

    void call(String identity, int invocation) {
        calls.merge(identity, 1, Integer::sum);
        calledBy.computeIfAbsent(invocation, k -> new java.util.LinkedHashSet<>()).add(identity);
    }

    boolean called(int invocation, String identity) {
        return calledBy.getOrDefault(invocation, java.util.Set.of()).contains(identity);
    }

    void abandonedClaim(String identity) {
        abandonedClaims.merge(identity, 1, Integer::sum);
    }

    /** Records a run's effect and returns its place in the ledger's order. */
    long effect(long time, String identity, Shard.Unit unit, int invocation) {
        long order = counter++;
        effects.add(new Effect(order, time, identity, unit, invocation));
        return order;
    }

    void disruption(int invocation, String what) {
        disruptions.add(new Disruption(counter++, invocation, what));
    }

    void parked(long time, io.shardwise.core.sink.ParkedRecord r, int invocation) {
        parked.add(new Parked(counter++, time, r, invocation));
    }

    void givenUp(long time, String seq, String why) {
        givenUp.add(new GivenUp(counter++, time, seq, why));
    }

    /** Records a violation seen while the schedule ran (the first of each invariant is kept). */
    void violation(String invariant, String detail) {
        violations.putIfAbsent(invariant, detail);
    }

    /** Whether invocation {@code inv} was disrupted before ledger position {@code order}. */
    boolean disruptedBefore(int inv, long order) {
        for (Disruption d : disruptions) {
            if (d.invocation() == inv && d.order() < order) {
                return true;
            }
        }
        return false;
    }

    /** Whether invocation {@code inv} was disrupted after ledger position {@code order}. */
    boolean disruptedAfter(int inv, long order) {
        for (Disruption d : disruptions) {
            if (d.invocation() == inv && d.order() > order) {
                return true;
            }
        }
        return false;
    }
}
