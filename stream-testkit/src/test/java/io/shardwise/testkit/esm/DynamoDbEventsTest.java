package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** DynamoDB Streams events from the in-memory stream: event names, images, TTL identity. */
class DynamoDbEventsTest {

    private static final Map<String, AttributeValue> KEY = Map.of("id", AttributeValue.fromS("k1"));

    @Test
    void aTtlDeletionCarriesTheDynamoDbServiceIdentityAndAUserDeletionNone() {
        ManualClock clock = new ManualClock(Instant.parse("2024-05-01T10:00:00Z"));
        InMemoryStream stream = InMemoryStream.dynamoDb("orders", "NEW_AND_OLD_IMAGES", clock);
        Map<String, AttributeValue> item = Map.of("id", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("1"));
        stream.insert(KEY, item);
        stream.remove(KEY, item);
        stream.insert(KEY, item);
        stream.ttlRemove(KEY, item);
        List<DynamodbEvent> seen = new CopyOnWriteArrayList<>();
        try (var runner =
                EventSourceMappingRunner.forDynamoDb(
                                stream,
                                EventSourceMapping.builder().clock(clock).build(),
                                (event, context) -> {
                                    seen.add(event);
                                    return ok();
                                })
                        .start()) {
            runner.awaitDrained(WAIT);
        }
        List<DynamodbStreamRecord> records = seen.stream().flatMap(e -> e.getRecords().stream()).toList();
        assertThat(records).extracting(DynamodbStreamRecord::getEventName)
                .containsExactly("INSERT", "REMOVE", "INSERT", "REMOVE");
        assertThat(records.get(1).getUserIdentity()).isNull();
        var ttl = records.get(3).getUserIdentity();
        assertThat(ttl).isNotNull();
        assertThat(ttl.getType()).isEqualTo("Service");
        assertThat(ttl.getPrincipalId()).isEqualTo("dynamodb.amazonaws.com");
        assertThat(records.get(3).getDynamodb().getOldImage()).containsKeys("id", "v");
        assertThat(records.get(3).getDynamodb().getNewImage()).isNull();
        assertThat(records).allSatisfy(r -> {
            assertThat(r.getEventSource()).isEqualTo("aws:dynamodb");
            assertThat(r.getEventSourceARN()).isEqualTo(stream.streamArn());
            assertThat(r.getAwsRegion()).isEqualTo("us-east-1");
            assertThat(r.getDynamodb().getApproximateCreationDateTime().toInstant()).isEqualTo(clock.instant());
            assertThat(r.getDynamodb().getKeys().get("id").getS()).isEqualTo("k1");
        });
    }

    @Test
    void imagesFollowTheStreamViewType() {
        Map<String, AttributeValue> before = Map.of("id", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("1"));
        Map<String, AttributeValue> after = Map.of("id", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("2"));
        Map<String, List<Boolean>> expected =
                Map.of(
                        "KEYS_ONLY", List.of(false, false),
                        "NEW_IMAGE", List.of(true, false),
                        "OLD_IMAGE", List.of(false, true),
                        "NEW_AND_OLD_IMAGES", List.of(true, true));
        expected.forEach(
                (viewType, images) -> {
                    InMemoryStream stream = InMemoryStream.dynamoDb("t-" + viewType, viewType, java.time.Clock.systemUTC());
                    stream.modify(KEY, before, after);
                    List<DynamodbEvent> seen = new CopyOnWriteArrayList<>();
                    try (var runner =
                            EventSourceMappingRunner.forDynamoDb(
                                            stream,
                                            EventSourceMapping.builder().build(),
                                            (event, context) -> {
                                                seen.add(event);
                                                return ok();
                                            })
                                    .start()) {
                        runner.awaitDrained(WAIT);
                    }
                    var change = seen.get(0).getRecords().get(0).getDynamodb();
                    assertThat(change.getStreamViewType()).isEqualTo(viewType);
                    assertThat(change.getNewImage() != null).as("%s NewImage", viewType).isEqualTo(images.get(0));
                    assertThat(change.getOldImage() != null).as("%s OldImage", viewType).isEqualTo(images.get(1));
                });
    }
}
