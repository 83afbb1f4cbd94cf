package io.shardwise.testkit.dynamodb.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * Capacity units by AWS's rules: a write unit per 1 KB of item (rounded up), a read unit per 4 KB (rounded up),
 * half a unit for an eventually consistent read, twice the units for a transactional read or write. Query and
 * Scan round the total size of the items they read once; BatchGetItem and BatchWriteItem round per item.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html">
 *     DynamoDB read and write operations (capacity unit consumption)</a>
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html">Capacity
 *     management for transactions</a>
 */
final class Capacity {

    private Capacity() {}

    /** Write units for one item write: the larger of the item's size before and after, per started KB, at least 1. */
    static double writeUnits(long sizeBefore, long sizeAfter) {
        return Math.max(1, ceilDiv(Math.max(sizeBefore, sizeAfter), 1024));
    }

    /** Read units for reading {@code bytes}: per started 4 KB, at least one unit; halved when not consistent. */
    static double readUnits(long bytes, boolean consistent) {
        double units = Math.max(1, ceilDiv(bytes, 4096));
        return consistent ? units : units / 2;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Whether a request's ReturnConsumedCapacity asks for figures. */
    static boolean wanted(String returnConsumedCapacity) {
        return returnConsumedCapacity != null
                && !ReturnConsumedCapacity.NONE.toString().equals(returnConsumedCapacity);
    }

    /** The ConsumedCapacity member for one table, or null when not asked for. */
    static ConsumedCapacity of(String returnConsumedCapacity, String table, double read, double write) {
        if (!wanted(returnConsumedCapacity)) {
            return null;
        }
        ConsumedCapacity.Builder b = ConsumedCapacity.builder().tableName(table).capacityUnits(read + write);
        if (read > 0) {
            b.readCapacityUnits(read);
        }
        if (write > 0) {
            b.writeCapacityUnits(write);
        }
        if (ReturnConsumedCapacity.INDEXES.toString().equals(returnConsumedCapacity)) {
            software.amazon.awssdk.services.dynamodb.model.Capacity.Builder t =
                    software.amazon.awssdk.services.dynamodb.model.Capacity.builder().capacityUnits(read + write);
            if (read > 0) {
                t.readCapacityUnits(read);
            }
            if (write > 0) {
                t.writeCapacityUnits(write);
            }
            b.table(t.build());
        }
        return b.build();
    }

    /** Units summed per table in request order, for the multi-table operations. */
    static final class PerTable {
        private final Map<String, double[]> units = new LinkedHashMap<>();

        void read(String table, double read) {
            units.computeIfAbsent(table, t -> new double[2])[0] += read;
        }

        void write(String table, double write) {
            units.computeIfAbsent(table, t -> new double[2])[1] += write;
        }

        /** One ConsumedCapacity per table, or null when not asked for. */
        List<ConsumedCapacity> render(String returnConsumedCapacity) {
            if (!wanted(returnConsumedCapacity)) {
                return null;
            }
            List<ConsumedCapacity> out = new ArrayList<>();
            for (Map.Entry<String, double[]> e : units.entrySet()) {
                out.add(of(returnConsumedCapacity, e.getKey(), e.getValue()[0], e.getValue()[1]));
            }
            return out;
        }
    }
}
