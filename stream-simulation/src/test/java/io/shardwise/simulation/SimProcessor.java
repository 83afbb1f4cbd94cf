package io.shardwise.simulation;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.ParkedRecord;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The user's code under test: one effect per record, recorded in the {@link Ledger}, and in TRANSACTIONAL mode also
 * staged as {@code ADD n :one} on the record's item of the effects table, in GUARDED mode as the record's guarded
 * write ({@code ADD #n :one} on its key's item), so exactly-once is checked on the engine's table. Faults are drawn per call from the schedule's seed. Every call is a scheduling point.
 */
final class SimProcessor extends RecordProcessor<String> {
    static final String EFFECTS_TABLE = "sim-effects";
    /** GUARDED: the attributes of a record's effect on its key's item, followed by the record's identity. */
    static final String GUARDED_COUNT = "n:";
    static final String GUARDED_RUN = "run:";

    private final World world;
    private final Set<String> poison;

    SimProcessor(World world, Set<String> poison) {
        this.world = world;
        this.poison = poison;
    }

    @Override
    public void process(StreamRecord<String> record, RecordContext context) throws Exception {
        Simulation.Invocation inv = world.enter("process " + record.describe(), 2, 10);
        String id = Shard.idOf(record.payload());
        Shard.Unit unit = world.unit(record.sequenceNumber(), record.subSequenceNumber());
        Scenario s = world.scenario();
        String identity = s.store() == null ? unit.position() : context.dedupKey();
        world.ledger().call(identity, inv.number);
        if (s.has(FaultPlan.ProcessorFault.POISON) && poison.contains(id)) {
            world.trace().add(inv.name() + "   processor throws: " + id + " is poison");
            throw new IllegalStateException("sim: poison record " + id);
        }
        FaultPlan.ProcessorFault f = world.processorFault();
        if (f == FaultPlan.ProcessorFault.THROW_RETRYABLE) {
            world.fault(inv, "processor " + id, f);
            throw new IllegalStateException("sim: retryable failure of " + id);
        }
        if (f == FaultPlan.ProcessorFault.THROW_NON_RETRYABLE) {
            world.fault(inv, "processor " + id, f);
            throw new NonRetryableException("sim: bad record " + id);
        }
        if (f == FaultPlan.ProcessorFault.HANG_BEFORE_EFFECT) {
            world.fault(inv, "processor " + id, f);
            world.hangPastDeadline(inv);
        }
        long order = world.ledger().effect(world.now(), identity, unit, inv.number);
        if (world.scenario().store() == io.shardwise.core.dedup.DedupMode.GUARDED) {
            // The exactly-once effect is the guarded write itself, to the user's item of the record's key (shared
            // by every record of that key, so several scopes' guards meet on one item): a counter per record, so
            // that a write applied twice shows as n = 2, and the ledger order of the run whose write applied.
            context.guarded().update(Update.builder().tableName(EFFECTS_TABLE)
                    .key(Map.of("id", AttributeValue.fromS(guardedItem(unit))))
                    .updateExpression("ADD #n :one SET #run = :run")
                    .expressionAttributeNames(Map.of("#n", GUARDED_COUNT + identity, "#run", GUARDED_RUN + identity))
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                            ":run", AttributeValue.fromN(Long.toString(order))))
                    .build());
        }
        if (world.scenario().store() == io.shardwise.core.dedup.DedupMode.TRANSACTIONAL) {
            // The exactly-once effect; "run" names this run in the ledger, so the checks know which run committed.
            context.transaction().update(Update.builder().tableName(EFFECTS_TABLE)
                    .key(Map.of("id", AttributeValue.fromS(identity)))
                    .updateExpression("ADD n :one SET run = :run")
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                            ":run", AttributeValue.fromN(Long.toString(order))))
                    .build());
        }
        world.trace().add(inv.name() + "   effect " + id + " at " + unit.position() + " attempt "
                + context.attempt());
        if (f == FaultPlan.ProcessorFault.HANG_AFTER_EFFECT) {
            world.fault(inv, "processor " + id, f);
            world.hangPastDeadline(inv);
        }
        if (f == FaultPlan.ProcessorFault.CRASH_AFTER_EFFECT) {
            world.fault(inv, "processor " + id, f);
            world.crash(inv);
        }
    }

    /** GUARDED: the user item a record's write goes to, one per user key. */
    static String guardedItem(Shard.Unit unit) {
        return "key:" + unit.innerKey();
    }

    /**
     * The processor a handler is built with. With a payload key it overrides {@code dedupKey}; without, it does
     * not override it at all (GUARDED refuses a processor that does, whatever the override returns).
     */
    RecordProcessor<String> forRecords() {
        SimProcessor self = this;
        if (world.scenario().payloadKey()) {
            return new RecordProcessor<>() {
                @Override
                public void process(StreamRecord<String> record, RecordContext context) throws Exception {
                    self.process(record, context);
                }

                @Override
                public String dedupKey(StreamRecord<String> record) {
                    return payloadKey(record);
                }
            };
        }
        return this;
    }

    private static String payloadKey(StreamRecord<String> record) {
        return "payload:" + Shard.idOf(record.payload());
    }

    /**
     * The same processor for DynamoDbStreamHandler: each change is handed on as the record with the payload the
     * Kinesis side carries (built from the new image's key and record id), the dedup key chosen the same way.
     */
    RecordProcessor<io.shardwise.ddb.ChangeRecord<SimItem>> forChanges() {
        SimProcessor self = this;
        if (world.scenario().payloadKey()) {
            return new RecordProcessor<>() {
                @Override
                public void process(StreamRecord<io.shardwise.ddb.ChangeRecord<SimItem>> record,
                                    RecordContext context) throws Exception {
                    self.process(asPayload(record), context);
                }

                @Override
                public String dedupKey(StreamRecord<io.shardwise.ddb.ChangeRecord<SimItem>> record) {
                    return payloadKey(asPayload(record));
                }
            };
        }
        return new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<io.shardwise.ddb.ChangeRecord<SimItem>> record, RecordContext context)
                    throws Exception {
                self.process(asPayload(record), context);
            }
        };
    }

    private static StreamRecord<String> asPayload(StreamRecord<io.shardwise.ddb.ChangeRecord<SimItem>> record) {
        SimItem item = record.payload().newImage().orElseThrow();
        return record.withPayload(new String(Shard.payload(item.getId(), item.getPk()),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The failure sink: in memory; it fails when the schedule says so (the record then stays FAILED). */
    static final class Sink implements FailureSink {
        private final World world;

        Sink(World world) {
            this.world = world;
        }

        @Override
        public void park(ParkedRecord record) throws Exception {
            Simulation.Invocation inv = world.enter("sink " + record.describe(), 1, 5);
            if (world.scenario().has(FaultPlan.ProcessorFault.SINK_FAILS)
                    && world.random().chance(world.scenario().processorRate())) {
                world.fault(inv, "sink " + record.describe(), FaultPlan.ProcessorFault.SINK_FAILS);
                throw new IllegalStateException("sim: the failure sink is unavailable");
            }
            world.ledger().parked(world.now(), record, inv.number);
            world.trace().add(inv.name() + "   parked " + record.describe() + " (" + record.errorClass() + ")");
        }
    }

    /** What the processor and the sink need from the running schedule. */
    interface World {
        Simulation.Invocation enter(String what, int minCost, int maxCost);

        Shard.Unit unit(String seq, long sub);

        Scenario scenario();

        Trace trace();

        Ledger ledger();

        SimRandom random();

        long now();

        FaultPlan.ProcessorFault processorFault();

        void fault(Simulation.Invocation inv, String where, FaultPlan.ProcessorFault f);

        void hangPastDeadline(Simulation.Invocation inv);

        void crash(Simulation.Invocation inv);
    }
}
