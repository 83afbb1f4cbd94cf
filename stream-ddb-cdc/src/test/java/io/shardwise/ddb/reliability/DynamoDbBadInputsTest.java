package io.shardwise.ddb.reliability;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shardwise.core.BatchResult;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.ddb.ChangeRecord;
import io.shardwise.ddb.DynamoDbStreamHandler;
import io.shardwise.ddb.Order;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The DynamoDB Streams bad-input corpus: every file under {@code src/test/resources/bad-inputs/ddb/} is a
 * {@code DynamodbEvent} as Lambda's JSON, loaded the way the Java runtime loads it ({@code aws-lambda-java-tests}'
 * {@link EventLoader}, i.e. {@code aws-lambda-java-serialization}), and run through {@link DynamoDbStreamHandler}
 * with the {@code Order} bean schema; {@code manifest.json} states each outcome:
 *
 * <ul>
 *   <li>{@code handled} — the handler returns; each record's outcome (for parked ones the error class and the exact
 *       message) and the reported item are as listed; every parked record reached the failure sink with its stream
 *       record JSON; no record is dropped;</li>
 *   <li>{@code batch-fails} — the handler throws the listed exception with the exact message (Lambda retries the
 *       whole batch);</li>
 *   <li>{@code runtime-rejects} — the runtime's deserializer cannot read the event; the handler is never called.</li>
 * </ul>
 *
 * Processors: {@code accept} (does nothing), {@code read-images} (reads both typed images, as a processor that
 * needs them does), {@code reject} (throws a non-retryable error). No message may contain the images' personal
 * data ({@code SSN-111-22-3333}). {@code generate.py} regenerates the files.
 */
class DynamoDbBadInputsTest {

    static final String DIR = "bad-inputs/ddb/";
    static final String SECRET = "SSN-111-22-3333";
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    record Manifest(List<Case> cases) {
    }

    @BeforeAll
    static void quiet() {
        // Every case parks or fails records on purpose; what is logged is checked in LogSecurityTest.
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(Level.OFF);
    }

    @AfterAll
    static void restore() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(null);
    }

    /**
     * @param file      the event file
     * @param input     what is wrong with it
     * @param processor {@code accept}, {@code read-images} or {@code reject}
     * @param expect    {@code handled}, {@code batch-fails} or {@code runtime-rejects}
     * @param failedItem for {@code handled}: the reported itemIdentifier, or null when everything is done
     * @param records   for {@code handled}: one per user record, in order
     * @param error     for the failing kinds: the exception class
     * @param message   the exact message (or, for {@code runtime-rejects}, a fragment of it)
     * @param knownBug  set when the entry states the expected behaviour of a bug not fixed yet: the case is
     *                  skipped, with this reason (remove it once main code is fixed)
     */
    record Case(String file, String input, String processor, String expect, String failedItem, List<Expected> records,
                String error, String message, String knownBug) {
    }

    /**
     * @param outcome     the record's outcome
     * @param error       the outcome's error class, or null
     * @param message     its exact message, or null
     * @param parkedError for a parked record: the error class the failure sink received, or null
     */
    record Expected(String outcome, String error, String message, String parkedError) {
    }

    static Manifest manifest() {
        try (InputStream in = DynamoDbBadInputsTest.class.getClassLoader().getResourceAsStream(DIR + "manifest.json")) {
            return JSON.readValue(Objects.requireNonNull(in, "manifest.json"), Manifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cases() {
        return manifest().cases().stream().map(c -> Arguments.of(c.file() + " (" + c.processor() + ")", c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadInputHasItsDocumentedOutcome(String name, Case c) throws Exception {
        assumeTrue(c.knownBug() == null, c.knownBug());
        Case actual = actual(c);
        assertThat(JSON.writeValueAsString(actual)).as("actual outcome of %s (%s); the manifest entry for the current "
                + "behaviour would be the actual value", c.file(), c.input()).isEqualTo(JSON.writeValueAsString(c));
    }

    /** Runs a case and describes what happened in the manifest's terms (plus the checks that hold for every case). */
    static Case actual(Case c) throws Exception {
        DynamodbEvent event;
        try {
            event = EventLoader.loadDynamoDbEvent(DIR + c.file());
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String fragment = c.message() != null && root.getMessage() != null && root.getMessage().contains(c.message())
                    ? c.message() : root.getMessage();
            return new Case(c.file(), c.input(), c.processor(), "runtime-rejects", null, null,
                    root.getClass().getName(), fragment, c.knownBug());
        }
        List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
        RecordProcessor<ChangeRecord<Order>> processor = RecordProcessor.of((record, ctx) -> {
            if ("reject".equals(c.processor())) {
                throw new NonRetryableException("rejected by the test processor");
            }
            if ("read-images".equals(c.processor())) {
                // What a processor that needs the item does: the new image unless it was removed, the old one for
                // updates and deletes.
                ChangeRecord<Order> change = record.payload();
                if (change.eventName() != ChangeRecord.EventName.REMOVE) {
                    change.newImage().ifPresent(o -> Objects.requireNonNull(o.getCustomerId()));
                }
                if (change.eventName() != ChangeRecord.EventName.INSERT) {
                    change.oldImage().ifPresent(o -> Objects.requireNonNull(o.getCustomerId()));
                }
            }
        });
        try (DynamoDbStreamHandler<Order> handler = DynamoDbStreamHandler.builder(TableSchema.fromBean(Order.class))
                .processor(processor)
                .config(ProcessingConfig.builder("bad-inputs").metrics(false).failureSink(parked::add).build())
                .build()) {
            BatchResult result;
            try {
                result = handler.process(event, null);
            } catch (RuntimeException e) {
                assertThat(e.getMessage()).doesNotContain(SECRET);
                return new Case(c.file(), c.input(), c.processor(), "batch-fails", null, null, e.getClass().getName(),
                        e.getMessage(), c.knownBug());
            }
            List<Expected> records = new ArrayList<>();
            for (RecordOutcome o : result.outcomes()) {
                String parkedError = parked.stream().filter(r -> r.sequenceNumber().equals(o.sequenceNumber())
                                && r.subSequenceNumber() == o.subSequenceNumber())
                        .map(ParkedRecord::errorClass).findFirst().orElse(null);
                records.add(new Expected(o.outcome().name(), o.error() == null ? null : o.error().getClass().getName(),
                        o.error() == null ? null : o.error().getMessage(), parkedError));
                if (o.error() != null) {
                    assertThat(o.error().getMessage()).as("error message of %s", o.sequenceNumber())
                            .doesNotContain(SECRET);
                }
            }
            checkNothingDropped(event, result, parked);
            String failedItem = result.allDone() ? null
                    : result.response().getBatchItemFailures().get(0).getItemIdentifier();
            return new Case(c.file(), c.input(), c.processor(), "handled", failedItem, records, null, null,
                    c.knownBug());
        }
    }

    /** Every record is processed or parked with its stream record; the parked copy names the error. */
    static void checkNothingDropped(DynamodbEvent event, BatchResult result, List<ParkedRecord> parked) {
        for (RecordOutcome o : result.outcomes()) {
            switch (o.outcome()) {
                case PROCESSED -> {
                }
                case PARKED -> {
                    ParkedRecord p = parked.stream().filter(r -> r.sequenceNumber().equals(o.sequenceNumber()))
                            .findFirst().orElseThrow(() -> new AssertionError(o.sequenceNumber()
                                    + " PARKED but not in the sink"));
                    assertThat(p.errorMessage()).isEqualTo(o.error().getMessage());
                    DynamodbEvent.DynamodbStreamRecord original = event.getRecords().stream()
                            .filter(r -> r.getDynamodb().getSequenceNumber().equals(o.sequenceNumber()))
                            .findFirst().orElseThrow();
                    String json = new String(p.payload(), StandardCharsets.UTF_8);
                    assertThat(json).as("parked payload of %s: the stream record as JSON", o.sequenceNumber())
                            .contains(o.sequenceNumber());
                    if (original.getEventID() != null) {
                        assertThat(json).contains(original.getEventID());
                    }
                }
                default -> throw new AssertionError(o.sequenceNumber() + " ended " + o.outcome()
                        + ": a bad input must be processed or parked, not left to block the shard");
            }
        }
    }

    /**
     * With {@code -Dshardwise.badInputs.dump=FILE}: writes the manifest of the current behaviour to FILE (to review
     * and copy when a behaviour changes on purpose).
     */
    @Test
    @EnabledIfSystemProperty(named = "shardwise.badInputs.dump", matches = ".+") // a tool, not a check: skipped
    void dumpActualManifestWhenAsked() throws Exception {
        String target = System.getProperty("shardwise.badInputs.dump");
        List<Case> all = new ArrayList<>();
        for (Case c : manifest().cases()) {
            try {
                all.add(actual(c));
            } catch (AssertionError e) {
                all.add(new Case(c.file(), c.input(), c.processor(), "ASSERTION FAILED", null, null, null,
                        e.getMessage(), c.knownBug()));
            }
        }
        JSON.writeValue(Path.of(target).toFile(), new Manifest(all));
    }

    @Test
    void everyFileHasAnExpectedOutcome() throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(DynamoDbBadInputsTest.class.getClassLoader().getResource(DIR)).toURI());
        List<String> listed = manifest().cases().stream().map(Case::file).distinct().sorted().toList();
        try (Stream<Path> files = Files.list(dir)) {
            List<String> present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json") && !n.equals("manifest.json")).sorted().toList();
            assertThat(listed).isEqualTo(present);
        }
    }
}
