package io.shardwise.benchmarks;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Capacity units a DynamoDB client consumed, by table and operation, from the {@code ConsumedCapacity} of each
 * response. Every request that does not ask for it (no {@code ReturnConsumedCapacity}, or {@code NONE}) is sent
 * with {@code TOTAL}, so nothing the client sends goes uncounted; a request that asks for {@code INDEXES} keeps it.
 *
 * <p>Single-item operations return one {@code ConsumedCapacity}, the multi-item ones ({@code BatchGetItem},
 * {@code BatchWriteItem}, {@code TransactWriteItems}, {@code TransactGetItems}) one per table: each is added to its
 * own table. A response that does not split read and write units is counted by the operation's kind.
 *
 * <p>A conditional single-item write whose condition fails consumes write units in DynamoDB (at least one) but its
 * error response carries no {@code ConsumedCapacity}: it is counted as {@value #FAILED_CONDITION_UNITS} write unit
 * under the operation name suffixed {@value #FAILED_SUFFIX}, an estimate that holds for items up to 1 KB.
 *
 * <p>Thread-safe; register one meter on every client whose units are to be added up.
 */
public final class CapacityMeter implements ExecutionInterceptor {
    /** Write units counted for a failed conditional write (DynamoDB's minimum; exact for items up to 1 KB). */
    public static final double FAILED_CONDITION_UNITS = 1.0;
    /** Suffix of the operation name under which failed conditional writes are counted. */
    public static final String FAILED_SUFFIX = " (condition failed)";

    private static final String RETURN_CONSUMED_CAPACITY = "ReturnConsumedCapacity";
    private static final String CONSUMED_CAPACITY = "ConsumedCapacity";
    private static final Set<String> WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
            "TransactWriteItems");

    /** Units of one table and operation. */
    public record Units(double read, double write) {
        public static final Units NONE = new Units(0, 0);

        public Units plus(Units o) {
            return new Units(read + o.read, write + o.write);
        }

        public Units per(double records) {
            return new Units(read / records, write / records);
        }
    }

    /** Where units were consumed. */
    public record Use(String table, String operation) implements Comparable<Use> {
        @Override
        public int compareTo(Use o) {
            int t = table.compareTo(o.table);
            return t != 0 ? t : operation.compareTo(o.operation);
        }
    }

    private final Map<Use, DoubleAdder[]> units = new ConcurrentHashMap<>();

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        SdkField<?> field = field(request, RETURN_CONSUMED_CAPACITY);
        if (field == null) {
            return request; // e.g. CreateTable: consumes no capacity units
        }
        Object asked = field.getValueOrDefault(request);
        if (asked != null && !ReturnConsumedCapacity.NONE.toString().equals(asked)) {
            return request;
        }
        SdkRequest.Builder builder = request.toBuilder();
        field.set(builder, ReturnConsumedCapacity.TOTAL.toString());
        return builder.build();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        SdkResponse response = context.response();
        Optional<Object> consumed = response.getValueForField(CONSUMED_CAPACITY, Object.class);
        if (consumed.isEmpty()) {
            return;
        }
        if (consumed.get() instanceof ConsumedCapacity one) {
            add(operation, one);
        } else if (consumed.get() instanceof List<?> list) {
            for (Object o : list) {
                add(operation, (ConsumedCapacity) o);
            }
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (!(context.exception() instanceof ConditionalCheckFailedException)) {
            return;
        }
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        String table = context.request().getValueForField("TableName", String.class).orElse("?");
        add(new Use(table, operation + FAILED_SUFFIX), new Units(0, FAILED_CONDITION_UNITS));
    }

    private void add(String operation, ConsumedCapacity c) {
        double read = orZero(c.readCapacityUnits());
        double write = orZero(c.writeCapacityUnits());
        if (read == 0 && write == 0 && c.capacityUnits() != null) {
            if (WRITES.contains(operation)) {
                write = c.capacityUnits();
            } else {
                read = c.capacityUnits();
            }
        }
        add(new Use(c.tableName() == null ? "?" : c.tableName(), operation), new Units(read, write));
    }

    private void add(Use use, Units u) {
        DoubleAdder[] a = units.computeIfAbsent(use, k -> new DoubleAdder[]{new DoubleAdder(), new DoubleAdder()});
        a[0].add(u.read());
        a[1].add(u.write());
    }

    /** Units by table and operation since the last {@link #reset()}. */
    public Map<Use, Units> snapshot() {
        Map<Use, Units> out = new TreeMap<>();
        units.forEach((use, a) -> {
            Units u = new Units(a[0].sum(), a[1].sum());
            if (u.read() != 0 || u.write() != 0) {
                out.put(use, u);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    public void reset() {
        units.values().forEach(a -> {
            a[0].reset();
            a[1].reset();
        });
    }

    private static SdkField<?> field(SdkRequest request, String memberName) {
        for (SdkField<?> f : request.sdkFields()) {
            if (memberName.equals(f.memberName())) {
                return f;
            }
        }
        return null;
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }
}
