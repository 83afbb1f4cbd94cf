package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import io.shardwise.core.BatchResult;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.sink.ParkedRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20 item 15: images DynamoDB itself could never hold (its limits: 38 significant digits, numbers from 1E-130
 * to 9.99…E+125, 32 nesting levels, 400 KB items) are bad records, refused before any work that grows with them:
 * parked with their payload, never a crash of the batch, and the batch's other records go on.
 *
 * <p>Each input is one record (the first) of a three-record batch; the tests are bounded in time by construction:
 * after the fix every input is refused by a check linear in its size, before any parse that is not.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html">DynamoDB
 *      quotas: item size, nesting depth</a>
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html">
 *      DynamoDB number range and precision</a>
 */
class ImageLimitsTest {

    private final List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
    private final List<String> processed = new CopyOnWriteArrayList<>();
    private final DynamoDbStreamHandler<Order> handler = DynamoDbStreamHandler.builder(Schemas.BEAN)
            .processor(RecordProcessor.of((r, c) -> {
                // Reads the typed image, as a processor that needs it does.
                processed.add(r.payload().newImage().map(Order::getStatus).orElse("-"));
            }))
            .config(ProcessingConfig.builder("image-limits").metrics(false).failureSink(parked::add).build())
            .build();

    @Test
    void aKeyNumberBeyondTheExponentRangeIsParked() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        setKeyNumber(event, "1E999999999");

        assertFirstParked(event, "Keys.orderId: the number has an exponent outside DynamoDB's range (1E-130 to "
                + "9.9999999999999999999999999999999999999E+125)");
    }

    @Test
    void aMillionDigitKeyNumberIsParked() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        setKeyNumber(event, "1" + "0".repeat(999_999));

        assertFirstParked(event, "Keys.orderId: the number is 1000000 characters long; DynamoDB numbers have at "
                + "most 38 significant digits");
    }

    @Test
    void aNumberWithMoreThan38SignificantDigitsIsParked() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        image(event).put("total", n("1234567890123456789012345678901234567.89"));

        assertFirstParked(event, "NewImage.total: the number has 39 significant digits; DynamoDB numbers have at "
                + "most 38");
    }

    @Test
    void aMapNested800DeepIsParked() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        AttributeValue deep = new AttributeValue().withS("leaf");
        for (int i = 0; i < 800; i++) {
            deep = new AttributeValue().withM(new HashMap<>(Map.of("m", deep)));
        }
        image(event).put("nested", deep);

        // The first value inside more than 32 maps: 33 ".m" below the attribute.
        assertFirstParked(event, "NewImage.nested" + ".m".repeat(33) + ": nested deeper than DynamoDB's 32 levels");
    }

    @Test
    void aHundredMegabyteNumberIntoABigDecimalFieldIsParked() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        image(event).put("total", n("9".repeat(100 * 1024 * 1024)));

        assertFirstParked(event, "NewImage.total: the number is 104857600 characters long; DynamoDB numbers have "
                + "at most 38 significant digits");
    }

    @Test
    void anImageLargerThan400KbIsParked() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        image(event).put("note", new AttributeValue().withS("x".repeat(400 * 1024)));

        assertFirstParked(event, "NewImage is at least 409");
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        Map<String, AttributeValue> image = image(event);
        image.put("tiny", n("1E-130"));
        image.put("huge", n("9.9999999999999999999999999999999999999E+125"));
        image.put("negative", n("-9.9999999999999999999999999999999999999E+125"));
        image.put("zero", n("0"));
        image.put("total", n("12345678901234567890123456789012345678"));
        AttributeValue deep = new AttributeValue().withS("leaf");
        for (int i = 0; i < 32; i++) { // the leaf inside 32 maps: DynamoDB's deepest
            deep = new AttributeValue().withM(new HashMap<>(Map.of("m", deep)));
        }
        image.put("nested", deep);

        BatchResult result = handler.process(event, null);

        assertThat(result.outcomes()).extracting(RecordOutcome::outcome).containsOnly(Outcome.PROCESSED);
        assertThat(parked).isEmpty();
    }

    private void assertFirstParked(DynamodbEvent event, String message) {
        BatchResult result = handler.process(event, null);

        assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PARKED, Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(result.outcomes().get(0).error()).isInstanceOf(NonRetryableException.class)
                .hasMessageContaining(message);
        assertThat(parked).singleElement().satisfies(p -> {
            assertThat(p.errorMessage()).contains(message);
            assertThat(new String(p.payload(), StandardCharsets.UTF_8))
                    .startsWith("{\"eventID\":\"7de3041dd709b024af6f29e4fa13d34c\"");
        });
        assertThat(processed).hasSize(2);
    }

    private static void setKeyNumber(DynamodbEvent event, String number) {
        DynamodbEvent.DynamodbStreamRecord first = event.getRecords().get(0);
        first.getDynamodb().getKeys().put("orderId", n(number));
        first.getDynamodb().getNewImage().put("orderId", n(number));
    }

    private static Map<String, AttributeValue> image(DynamodbEvent event) {
        return event.getRecords().get(0).getDynamodb().getNewImage();
    }

    private static AttributeValue n(String number) {
        return new AttributeValue().withN(number);
    }
}
