package io.shardwise.examples.demo;

import io.shardwise.examples.ordertotals.OrderEvent;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the demo's producer puts on the orders stream, decided up front from a seed: orders, producer duplicates
 * (the same order sent again later, as a producer that retries a timed-out {@code PutRecord} does) and a few
 * malformed records. Knowing it all up front is what lets the demo compute the expected totals independently of
 * the consumer.
 */
final class OrderWorkload {

    enum Kind { ORDER, DUPLICATE, MALFORMED }

    /** One record to put. {@code order} is null for malformed records. */
    record Item(Kind kind, String partitionKey, byte[] data, OrderEvent order, String description) {
    }

    /** Per customer and currency: the sum of amounts and the number of orders. */
    record Total(BigDecimal total, long orderCount) {
    }

    private static final String[] CURRENCIES = {"EUR", "EUR", "EUR", "EUR", "EUR", "EUR", "EUR", "USD", "USD", "GBP"};
    private static final Instant START = Instant.parse("2025-03-01T09:00:00Z");

    private final List<Item> items;
    private final int orders;
    private final int customers;
    private final int duplicates;
    private final int malformed;

    private OrderWorkload(List<Item> items, int orders, int customers, int duplicates, int malformed) {
        this.items = List.copyOf(items);
        this.orders = orders;
        this.customers = customers;
        this.duplicates = duplicates;
        this.malformed = malformed;
    }

    /**
     * @param orders        distinct orders
     * @param customers     customers they are spread over (the partition keys)
     * @param duplicateRate share of orders sent twice
     */
    static OrderWorkload generate(int orders, int customers, double duplicateRate, long seed) {
        Random random = new Random(seed);
        List<Item> items = new ArrayList<>(orders + orders / 10);
        for (int i = 0; i < orders; i++) {
            String customer = String.format("c-%04d", random.nextInt(customers));
            BigDecimal amount = BigDecimal.valueOf(100 + random.nextInt(50_000), 2);
            OrderEvent order = new OrderEvent(String.format("o-%06d", i), customer, amount,
                    CURRENCIES[random.nextInt(CURRENCIES.length)], START.plusSeconds(i));
            items.add(new Item(Kind.ORDER, customer, json(order), order, "order"));
        }
        // Duplicates go a little later in the stream (5 to 400 records on), sometimes across the shard split.
        int duplicates = 0;
        List<Item> originals = List.copyOf(items);
        for (Item original : originals) {
            if (random.nextDouble() < duplicateRate) {
                int at = Math.min(items.size(), items.indexOf(original) + 5 + random.nextInt(400));
                items.add(at, new Item(Kind.DUPLICATE, original.partitionKey(), original.data(), original.order(),
                        "producer duplicate"));
                duplicates++;
            }
        }
        List<Item> bad = malformed(customers);
        for (int i = 0; i < bad.size(); i++) {
            items.add((int) ((long) items.size() * (i + 1) / (bad.size() + 1)), bad.get(i));
        }
        return new OrderWorkload(items, orders, customers, duplicates, bad.size());
    }

    private static List<Item> malformed(int customers) {
        String at = START.toString();
        return List.of(
                bad(customers, 1, "{\"orderId\":\"o-bad-1\",\"customerId\":\"c-0001\",\"amount\":", "truncated JSON"),
                bad(customers, 2, "order 17 for c-0002, 12.50 EUR", "not JSON"),
                bad(customers, 3, "{\"orderId\":\"o-bad-3\"}", "wrong shape: fields missing"),
                bad(customers, 4, "{\"orderId\":\"o-bad-4\",\"customerId\":\"c-0004\",\"amount\":-5,\"currency\":"
                        + "\"EUR\",\"occurredAt\":\"" + at + "\"}", "negative amount"),
                bad(customers, 5, "{\"orderId\":\"o-bad-5\",\"customerId\":\"c-0005\",\"amount\":\"12.30\","
                        + "\"currency\":\"euro\",\"occurredAt\":\"" + at + "\"}", "invalid currency"),
                bad(customers, 6, "[\"o-bad-6\",\"c-0006\",12.5]", "an array, not an object"),
                bad(customers, 7, "null", "JSON null"),
                new Item(Kind.MALFORMED, customer(customers, 8), new byte[] {(byte) 0xF3, (byte) 0x89, (byte) 0x9A,
                        (byte) 0xC2, 0x0A, 0x01, 0x7F, (byte) 0xFF, 0x00, 0x13}, null, "corrupt KPL aggregate"));
    }

    private static Item bad(int customers, int n, String text, String description) {
        return new Item(Kind.MALFORMED, customer(customers, n), text.getBytes(StandardCharsets.UTF_8), null,
                description);
    }

    private static String customer(int customers, int n) {
        return String.format("c-%04d", n % customers);
    }

    private static byte[] json(OrderEvent o) {
        // Written by hand so the demo's producer does not share the consumer's Jackson set-up.
        return ("{\"orderId\":\"" + o.orderId() + "\",\"customerId\":\"" + o.customerId() + "\",\"amount\":"
                + o.amount().toPlainString() + ",\"currency\":\"" + o.currency() + "\",\"occurredAt\":\""
                + o.occurredAt() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    List<Item> items() {
        return items;
    }

    int orders() {
        return orders;
    }

    int customers() {
        return customers;
    }

    int duplicates() {
        return duplicates;
    }

    int malformed() {
        return malformed;
    }

    /**
     * The totals the table must hold, computed from what was produced, independently of the consumer: each
     * order counted once (duplicates dropped by order id), malformed records left out. Keyed
     * {@code customerId/currency}.
     */
    Map<String, Total> expectedTotals() {
        Map<String, Total> totals = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (Item item : items) {
            if (item.order() != null && seen.add(item.order().orderId())) {
                totals.merge(item.order().customerId() + "/" + item.order().currency(),
                        new Total(item.order().amount(), 1),
                        (a, b) -> new Total(a.total().add(b.total()), a.orderCount() + b.orderCount()));
            }
        }
        return totals;
    }
}
