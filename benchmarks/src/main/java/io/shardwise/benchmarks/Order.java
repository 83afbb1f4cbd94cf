package io.shardwise.benchmarks;

/**
 * The payload every benchmark decodes: a small order event, as JSON in the Kinesis record's data.
 *
 * @param eventId     the producer's event id (the dedup key in the producer-duplicates scenario)
 * @param customerId  the partition key
 * @param amountCents the amount
 * @param currency    ISO code
 * @param createdAt   ISO-8601 text (kept a string: no java.time module needed on either side)
 * @param note        padding that brings the record to the scenario's size
 */
public record Order(String eventId, String customerId, long amountCents, String currency, String createdAt,
                    String note) {
}
