package io.shardwise.examples.ordertotals;

import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.Map;
import java.util.Objects;

/**
 * Adds each order to its customer's running total, in the totals table (partition key {@code customerId}, sort key
 * {@code currency}; attributes {@code total} and {@code orderCount}).
 *
 * <p>Exactly once: the handler runs in {@code DedupMode.TRANSACTIONAL}, so the {@code UpdateItem} staged here is
 * committed in the same {@code TransactWriteItems} as the order's dedup marker. An order whose marker exists is
 * skipped; a failure before the commit leaves neither. The dedup key is the payload's {@code orderId}, not the
 * stream position, so a producer that sends an order twice (a retried {@code PutRecord}: same order, new sequence
 * number) is counted once too.
 *
 * <p>It has no other side effect and never reads the table: the update expression ({@code ADD}) needs no prior
 * value, which matters because writes staged for earlier records of a batch are not visible until committed.
 *
 * <p>Thread-safe (stateless).
 */
public class OrderTotalsProcessor extends RecordProcessor<OrderEvent> {

    /** Partition key of the totals table. */
    public static final String CUSTOMER_ID = "customerId";
    /** Sort key of the totals table. */
    public static final String CURRENCY = "currency";
    /** Running total: a DynamoDB number, exact decimal arithmetic (38 digits). */
    public static final String TOTAL = "total";
    /** How many orders the total holds. */
    public static final String ORDER_COUNT = "orderCount";

    private static final String UPDATE = "ADD #total :amount, #count :one";
    private static final Map<String, String> NAMES = Map.of("#total", TOTAL, "#count", ORDER_COUNT);
    private static final AttributeValue ONE = AttributeValue.fromN("1");

    private final String totalsTable;

    /** @param totalsTable the totals table's name (or ARN) */
    public OrderTotalsProcessor(String totalsTable) {
        this.totalsTable = Objects.requireNonNull(totalsTable, "totalsTable");
    }

    @Override
    public String dedupKey(StreamRecord<OrderEvent> record) {
        return "order/" + record.payload().orderId();
    }

    @Override
    public void process(StreamRecord<OrderEvent> record, RecordContext context) throws Exception {
        OrderEvent order = record.payload();
        context.transaction().update(Update.builder()
                .tableName(totalsTable)
                .key(Map.of(CUSTOMER_ID, AttributeValue.fromS(order.customerId()),
                        CURRENCY, AttributeValue.fromS(order.currency())))
                .updateExpression(UPDATE)
                .expressionAttributeNames(NAMES)
                .expressionAttributeValues(Map.of(":amount", AttributeValue.fromN(order.amount().toPlainString()),
                        ":one", ONE))
                .build());
    }

    /** The totals table's name. */
    public String totalsTable() {
        return totalsTable;
    }
}
