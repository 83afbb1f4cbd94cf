package io.shardwise.examples.demo;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.RequestCounter;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.examples.ordertotals.OrderTotalsHandler;
import io.shardwise.examples.ordertotals.OrderTotalsProcessor;
import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.EmbeddedSqs;
import io.shardwise.testkit.KinesisMock;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.SqsOnFailureDestination;
import io.shardwise.testkit.esm.StartingPosition;
import io.shardwise.testkit.esm.StreamSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The order-totals part of the demo: a 4-shard orders stream on kinesis-mock, the {@link OrderTotalsHandler}
 * behind the local event source mapping, a workload with producer duplicates, malformed records, an injected fault
 * and a shard split while producing; then the checks.
 */
final class OrderTotalsRun {

    static final String STREAM = "orders";
    static final String TOTALS_TABLE = "order-totals";
    static final String PARKING_QUEUE = "order-totals-parked";
    static final String ON_FAILURE_QUEUE = "order-totals-esm-failures";
    static final String CONSUMER = OrderTotalsHandler.DEFAULT_CONSUMER_NAME;
    static final int SHARDS = 4;
    private static final int PUT_CHUNK = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the run saw; {@link #ok()} is the demo's verdict on this part. */
    record Result(
            int recordsIn, int orders, int duplicatesSent, int malformedSent,
            long processed, long skippedDuplicates, long parked, long failedAttempts, long notAttempted,
            int distinctDone, long invocations, long partialFailures, long wholeBatchFailures, int onFailureMessages,
            int parkedMessages, boolean parkedPayloadsIntact, String parkedWhere, List<String> parkedSamples,
            String faultyOrderId, Integer faultRecoveredOnAttempt,
            String splitShard, int splitAfterRecords, int shardsAtEnd, boolean parentsBeforeChildren,
            boolean orderKeptPerCustomer, List<String> orderViolations,
            Map<String, Long> dynamoDbRequests, long dynamoDbRequestTotal,
            Duration total, Duration producing, Duration drainAfterLastPut,
            int totalsCompared, BigDecimal grandTotal, boolean totalsMatch, List<String> totalsMismatches) {

        boolean allDone() {
            return distinctDone == recordsIn;
        }

        boolean ok() {
            return totalsMatch && allDone() && parked == malformedSent && parkedMessages == malformedSent
                    && parkedPayloadsIntact && skippedDuplicates == duplicatesSent
                    && faultRecoveredOnAttempt != null && parentsBeforeChildren && orderKeptPerCustomer
                    && shardsAtEnd == SHARDS + 2;
        }
    }

    private final EmbeddedDynamoDb dynamoDb;
    private final KinesisMock kinesisMock;
    private final EmbeddedSqs sqs;
    private final String dedupTable;
    private final OrderWorkload workload;
    private final PrintStream out;

    OrderTotalsRun(EmbeddedDynamoDb dynamoDb, KinesisMock kinesisMock, EmbeddedSqs sqs, String dedupTable,
                   OrderWorkload workload, PrintStream out) {
        this.dynamoDb = dynamoDb;
        this.kinesisMock = kinesisMock;
        this.sqs = sqs;
        this.dedupTable = dedupTable;
        this.workload = workload;
        this.out = out;
    }

    Result run() throws InterruptedException {
        long started = System.nanoTime();
        KinesisClient kinesis = kinesisMock.client();
        kinesis.createStream(b -> b.streamName(STREAM).shardCount(SHARDS));
        awaitActive(kinesis);
        dynamoDb.client().createTable(b -> b.tableName(TOTALS_TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        a -> a.attributeName(OrderTotalsProcessor.CUSTOMER_ID).attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(OrderTotalsProcessor.CURRENCY).attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName(OrderTotalsProcessor.CUSTOMER_ID).keyType(KeyType.HASH),
                        k -> k.attributeName(OrderTotalsProcessor.CURRENCY).keyType(KeyType.RANGE)));
        String parkingUrl = sqs.createQueue(PARKING_QUEUE);
        String onFailureUrl = sqs.createQueue(ON_FAILURE_QUEUE);

        // The function's own DynamoDB client, counted: what the consumer costs in requests.
        RequestCounter counter = new RequestCounter();
        List<OrderWorkload.Item> items = workload.items();
        String faultyOrderId = items.stream().skip(items.size() / 3).filter(i -> i.kind() == OrderWorkload.Kind.ORDER)
                .findFirst().orElseThrow().order().orderId();
        FaultInjectingProcessor processor = new FaultInjectingProcessor(TOTALS_TABLE, faultyOrderId);
        OutcomeTally tally = new OutcomeTally();
        try (DynamoDbClient functionDynamoDb = Clients.dynamoDb(dynamoDb.endpoint(), counter)) {
            ProcessingConfig config = OrderTotalsHandler.config(CONSUMER, functionDynamoDb, dedupTable,
                            SqsFailureSink.builder().client(sqs.client()).queueUrl(parkingUrl).build())
                    .metrics(false)
                    .build();
            OrderTotalsHandler handler = new OrderTotalsHandler(processor, config);
            counter.reset(); // count processing only, not the start-up check of the dedup table
            RequestHandler<KinesisEvent, StreamsEventResponse> counted = (event, context) -> {
                BatchResult result = handler.process(event, context);
                Map<String, String> shards = new HashMap<>();
                for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                    shards.put(r.getKinesis().getSequenceNumber(), r.getEventID().substring(0,
                            r.getEventID().indexOf(':')));
                }
                tally.add(result, shards::get);
                return result.response();
            };

            EventSourceMapping mapping = EventSourceMapping.builder()
                    .functionName(CONSUMER)
                    .functionTimeout(Duration.ofSeconds(60))
                    .batchSize(100)
                    .maximumBatchingWindow(Duration.ofMillis(500))
                    .startingPosition(StartingPosition.TRIM_HORIZON)
                    .reportBatchItemFailures(true)
                    .bisectBatchOnFunctionError(true)
                    .maximumRetryAttempts(10)
                    .maximumRecordAgeInSeconds(3_600)
                    .parallelizationFactor(2)
                    .onFailure(SqsOnFailureDestination.of(sqs.client(), onFailureUrl))
                    .pollInterval(Duration.ofMillis(250))
                    .build();
            out.printf("  event source mapping: batch size %d, window %d ms, parallelization factor %d, "
                            + "ReportBatchItemFailures, bisect on error, %d retries, on failure -> SQS %s%n",
                    mapping.batchSize(), mapping.maximumBatchingWindow().toMillis(), mapping.parallelizationFactor(),
                    mapping.maximumRetryAttempts(), ON_FAILURE_QUEUE);
            out.printf("  producing %,d records: %,d orders over %s, %,d producer duplicates, %d malformed; "
                            + "one injected fault (order %s); a shard split half-way%n",
                    items.size(), workload.orders(), workload.customers() + " customers", workload.duplicates(), workload.malformed(),
                    faultyOrderId);

            String[] positions = new String[items.size()];
            AtomicInteger put = new AtomicInteger();
            AtomicReference<String> phase = new AtomicReference<>("producing");
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "demo-progress");
                t.setDaemon(true);
                return t;
            });
            long producingStarted = System.nanoTime();
            EventSourceMappingRunner runner = EventSourceMappingRunner.forKinesis(
                    StreamSource.kinesis(kinesis, STREAM), mapping, counted).start();
            String splitShard;
            int splitAfter;
            long produced;
            long drained;
            List<Invocation> invocations;
            try {
                progress.scheduleAtFixedRate(() -> out.printf("  [%5.1fs] %-9s put %,6d/%,d | done %,6d "
                                + "(processed %,d, duplicates %,d, parked %,d) | invocations %,d | shards %d%n",
                        seconds(System.nanoTime() - producingStarted), phase.get(), put.get(), items.size(),
                        tally.done().size(), tally.count(Outcome.PROCESSED), tally.count(Outcome.SKIPPED_DUPLICATE),
                        tally.count(Outcome.PARKED), tally.invocations(), runner.shardIds().size()),
                        1, 1, TimeUnit.SECONDS);
                splitAfter = items.size() / 2;
                produce(kinesis, items, 0, splitAfter, positions, put);
                phase.set("splitting");
                splitShard = split(kinesis);
                phase.set("producing");
                produce(kinesis, items, splitAfter, items.size(), positions, put);
                produced = System.nanoTime();
                phase.set("draining");
                runner.awaitDrained(Duration.ofMinutes(5));
                drained = System.nanoTime();
                invocations = runner.invocations();
            } finally {
                progress.shutdownNow();
                progress.awaitTermination(5, TimeUnit.SECONDS);
                runner.close();
            }
            out.printf("  [%5.1fs] drained: every record of every shard is done%n",
                    seconds(drained - producingStarted));

            // ---- checks, all from sources independent of the tally where possible
            Map<String, OrderWorkload.Item> byPosition = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                byPosition.put(positions[i], items.get(i));
            }
            List<Message> parkedMessages = receiveAll(parkingUrl);
            List<Message> onFailure = receiveAll(onFailureUrl);
            ParkedCheck parked = checkParked(parkedMessages);
            Map<String, OrderWorkload.Total> expected = workload.expectedTotals();
            Map<String, OrderWorkload.Total> actual = readTotals();
            List<String> mismatches = compare(expected, actual);
            List<String> orderViolations = checkOrder(tally.processedInOrder(), byPosition);
            List<Shard> shardsAtEnd = kinesis.listShards(b -> b.streamName(STREAM)).shards();
            boolean parentsFirst = parentsBeforeChildren(shardsAtEnd, invocations);
            String failedAt = processor.failedPosition();
            Integer recoveredOn = failedAt == null ? null : tally.attemptsWhenProcessed(failedAt);
            BigDecimal grandTotal = expected.values().stream().map(OrderWorkload.Total::total)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            return new Result(items.size(), workload.orders(), workload.duplicates(), workload.malformed(),
                    tally.count(Outcome.PROCESSED), tally.count(Outcome.SKIPPED_DUPLICATE),
                    tally.count(Outcome.PARKED), tally.count(Outcome.FAILED), tally.count(Outcome.NOT_ATTEMPTED),
                    (int) tally.done().stream().filter(byPosition::containsKey).count(), tally.invocations(),
                    invocations.stream().filter(i -> i.outcome() == Invocation.Outcome.PARTIAL_FAILURE).count(),
                    invocations.stream().filter(Invocation::failedWholeBatch).count(), onFailure.size(),
                    parkedMessages.size(), parked.payloadsIntact, "SQS queue " + PARKING_QUEUE + " (ElasticMQ at "
                    + sqs.endpoint() + ")", parked.samples, faultyOrderId, recoveredOn,
                    splitShard, splitAfter, shardsAtEnd.size(), parentsFirst,
                    orderViolations.isEmpty(), orderViolations,
                    counter.snapshot(), counter.total(),
                    Duration.ofNanos(System.nanoTime() - started), Duration.ofNanos(produced - producingStarted),
                    Duration.ofNanos(drained - produced),
                    expected.size(), grandTotal, mismatches.isEmpty(), mismatches);
        }
    }

    // ------------------------------------------------------------------------------------------ producing

    /** Puts items [from, to) with PutRecords, in chunks, at a steady pace, retrying entries Kinesis rejected. */
    private static void produce(KinesisClient kinesis, List<OrderWorkload.Item> items, int from, int to,
                                String[] positions, AtomicInteger put) throws InterruptedException {
        for (int start = from; start < to; start += PUT_CHUNK) {
            List<Integer> pending = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + PUT_CHUNK); i++) {
                pending.add(i);
            }
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                List<PutRecordsRequestEntry> entries = pending.stream()
                        .map(i -> PutRecordsRequestEntry.builder().partitionKey(items.get(i).partitionKey())
                                .data(SdkBytes.fromByteArray(items.get(i).data())).build())
                        .toList();
                PutRecordsResponse response = kinesis.putRecords(b -> b.streamName(STREAM).records(entries));
                List<Integer> rejected = new ArrayList<>();
                for (int k = 0; k < pending.size(); k++) {
                    PutRecordsResultEntry r = response.records().get(k);
                    if (r.errorCode() == null) {
                        positions[pending.get(k)] = r.shardId() + "/" + r.sequenceNumber();
                        put.incrementAndGet();
                    } else {
                        rejected.add(pending.get(k));
                    }
                }
                pending = rejected;
                if (!pending.isEmpty()) {
                    if (attempt >= 10) {
                        throw new IllegalStateException("kinesis-mock rejected " + pending.size()
                                + " records 10 times in a row");
                    }
                    Thread.sleep(100L * attempt);
                }
            }
            Thread.sleep(25); // a steady pace: the consumer works while the producer does
        }
    }

    /** Splits the first open shard at the middle of its hash key range and waits for the stream to be ACTIVE. */
    private static String split(KinesisClient kinesis) throws InterruptedException {
        Shard shard = kinesis.listShards(b -> b.streamName(STREAM)).shards().stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
                .findFirst().orElseThrow();
        BigInteger start = new BigInteger(shard.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(shard.hashKeyRange().endingHashKey());
        kinesis.splitShard(b -> b.streamName(STREAM).shardToSplit(shard.shardId())
                .newStartingHashKey(start.add(end).shiftRight(1).toString()));
        awaitActive(kinesis);
        return shard.shardId();
    }

    private static void awaitActive(KinesisClient kinesis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (kinesis.describeStreamSummary(b -> b.streamName(STREAM)).streamDescriptionSummary().streamStatus()
                != StreamStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream " + STREAM + " did not become ACTIVE within 30 s");
            }
            Thread.sleep(50);
        }
    }

    // ------------------------------------------------------------------------------------------ checks

    private record ParkedCheck(boolean payloadsIntact, List<String> samples) {
    }

    /** Every malformed record is parked exactly once, with its payload byte for byte. */
    private ParkedCheck checkParked(List<Message> messages) {
        List<String> expected = workload.items().stream().filter(i -> i.kind() == OrderWorkload.Kind.MALFORMED)
                .map(i -> Base64.getEncoder().encodeToString(i.data())).sorted().toList();
        List<String> actual = new ArrayList<>();
        List<String> samples = new ArrayList<>();
        for (Message m : messages) {
            try {
                JsonNode body = JSON.readTree(m.body());
                actual.add(body.path("payloadBase64").asText());
                if (samples.size() < 3) {
                    samples.add(body.path("shardId").asText() + "/" + shortSeq(body.path("sequenceNumber").asText())
                            + " " + body.path("errorClass").asText().replaceAll(".*\\.", "") + ": "
                            + abbreviate(body.path("errorMessage").asText()
                            .replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+([A-Z])", "$1"), 90));
                }
            } catch (Exception e) {
                actual.add("unreadable: " + e.getMessage());
            }
        }
        actual.sort(null);
        return new ParkedCheck(actual.equals(expected), samples);
    }

    private List<Message> receiveAll(String queueUrl) {
        List<Message> all = new ArrayList<>();
        for (int empty = 0; empty < 2; ) {
            List<Message> batch = sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(300).waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                empty++;
            } else {
                all.addAll(batch);
            }
        }
        return all;
    }

    /** The totals table, read back with a plain client: {@code customerId/currency} to total and count. */
    private Map<String, OrderWorkload.Total> readTotals() {
        Map<String, OrderWorkload.Total> totals = new TreeMap<>();
        dynamoDb.client().scanPaginator(b -> b.tableName(TOTALS_TABLE).consistentRead(true)).items()
                .forEach(item -> totals.put(
                        item.get(OrderTotalsProcessor.CUSTOMER_ID).s() + "/" + item.get(OrderTotalsProcessor.CURRENCY).s(),
                        new OrderWorkload.Total(new BigDecimal(number(item, OrderTotalsProcessor.TOTAL)),
                                Long.parseLong(number(item, OrderTotalsProcessor.ORDER_COUNT)))));
        return totals;
    }

    private static String number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? "0" : v.n();
    }

    static List<String> compare(Map<String, OrderWorkload.Total> expected, Map<String, OrderWorkload.Total> actual) {
        List<String> mismatches = new ArrayList<>();
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            OrderWorkload.Total e = expected.get(key);
            OrderWorkload.Total a = actual.get(key);
            boolean same = e != null && a != null && e.total().compareTo(a.total()) == 0
                    && e.orderCount() == a.orderCount();
            if (!same) {
                mismatches.add(key + ": expected " + describe(e) + ", table has " + describe(a));
            }
        }
        return mismatches;
    }

    private static String describe(OrderWorkload.Total t) {
        return t == null ? "nothing" : t.total().toPlainString() + " over " + t.orderCount() + " orders";
    }

    /**
     * Each customer's orders were processed in the order they were produced: the processed records, in the order
     * their invocations finished, projected per customer, equal the produced first occurrences per customer.
     */
    private List<String> checkOrder(List<String> processed, Map<String, OrderWorkload.Item> byPosition) {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (OrderWorkload.Item item : workload.items()) {
            if (item.order() != null && seen.add(item.order().orderId())) {
                expected.computeIfAbsent(item.order().customerId(), k -> new ArrayList<>()).add(item.order().orderId());
            }
        }
        Map<String, List<String>> actual = new HashMap<>();
        for (String position : processed) {
            OrderWorkload.Item item = byPosition.get(position);
            if (item != null && item.order() != null) {
                actual.computeIfAbsent(item.order().customerId(), k -> new ArrayList<>()).add(item.order().orderId());
            }
        }
        List<String> violations = new ArrayList<>();
        expected.forEach((customer, orders) -> {
            if (!orders.equals(actual.get(customer))) {
                violations.add(customer + ": produced " + orders + ", processed " + actual.get(customer));
            }
        });
        return violations;
    }

    /** Every child shard's first invocation finished after its parent's last one. */
    private static boolean parentsBeforeChildren(List<Shard> shards, List<Invocation> invocations) {
        for (Shard child : shards) {
            if (child.parentShardId() == null) {
                continue;
            }
            long parentLast = invocations.stream().filter(i -> i.shardId().equals(child.parentShardId()))
                    .mapToLong(Invocation::index).max().orElse(-1);
            long childFirst = invocations.stream().filter(i -> i.shardId().equals(child.shardId()))
                    .mapToLong(Invocation::index).min().orElse(Long.MAX_VALUE);
            if (childFirst < parentLast) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ formatting

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String shortSeq(String sequenceNumber) {
        return sequenceNumber.length() <= 12 ? sequenceNumber : "…" + sequenceNumber.substring(sequenceNumber.length() - 8);
    }

    static String abbreviate(String s, int max) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
    }

    static String requests(Map<String, Long> byOperation) {
        return byOperation.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + String.format("%,d", e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
