package io.shardwise.core.dedup;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.DedupStore.Claimed;
import io.shardwise.core.dedup.DedupStore.CommitResult;
import io.shardwise.core.dedup.DedupStore.CommitStatus;
import io.shardwise.core.dedup.DedupStore.Entry;
import io.shardwise.core.dedup.DedupStore.Rejected;
import io.shardwise.core.dedup.DedupStore.Staged;
import io.shardwise.core.dedup.DedupStore.Status;
import io.shardwise.core.dedup.DedupStore.Watermark;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the exact requests {@link DynamoDbDedupStore} sends (expressions spelled out literally here, as Powertools'
 * {@code DynamoDBPersistenceStoreTest} does), and how it reads DynamoDB's answers, with a scripted client.
 */
class DynamoDbDedupStoreRequestsTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00.250Z");
    private static final String NOW_S = "1893456000";
    private static final String NOW_MS = "1893456000250";
    private static final Instant LEASE_UNTIL = NOW.plusSeconds(30);
    private static final Instant EXPIRES = NOW.plus(Duration.ofHours(1));
    private static final String EXPIRES_S = "1893459600";
    private static final String ID = "orders#abc123";

    private final FakeDynamoDb fake = new FakeDynamoDb();
    private final List<Duration> pauses = new ArrayList<>();
    // readConcurrency(1): the fake answers in call order, and this class pins requests in order. Concurrent pages
    // are tested against the embedded DynamoDB engine (DynamoDbDedupStoreIT).
    private final DynamoDbDedupStore store = DynamoDbDedupStore.builder(fake, "dedup")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).sleeper(pauses::add).readConcurrency(1).build();

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    private static ConditionalCheckFailedException conditionFailed(Map<String, AttributeValue> item) {
        return ConditionalCheckFailedException.builder().message("The conditional request failed").item(item)
                .build();
    }

    // ---------------------------------------------------------------- claim

    @Test
    void claimIsOneConditionalUpdateReturningTheOldItemEitherWay() {
        DedupStore.ClaimResult result = claim(null);

        UpdateItemRequest r = fake.request(0, UpdateItemRequest.class);
        assertThat(r.tableName()).isEqualTo("dedup");
        assertThat(r.key()).isEqualTo(Map.of("id", s(ID)));
        assertThat(r.updateExpression()).isEqualTo("SET #status = :inprogress, in_progress_expiration = :lease_until,"
                + " expiration = :expiration, lease_token = :token, write_token = :token,"
                + " prev_status = if_not_exists(#status, :none), prev_expiration = if_not_exists(expiration, :zero)");
        assertThat(r.conditionExpression()).isEqualTo("attribute_not_exists(id) OR expiration < :now_s"
                + " OR #status = :failed OR (#status = :inprogress AND in_progress_expiration < :now_ms)");
        assertThat(r.expressionAttributeNames()).isEqualTo(Map.of("#status", "status"));
        String token = ((Claimed) result).leaseToken();
        assertThat(r.expressionAttributeValues()).isEqualTo(Map.of(
                ":inprogress", s("INPROGRESS"),
                ":failed", s("FAILED"),
                ":lease_until", n("1893456030250"),
                ":expiration", n(EXPIRES_S),
                ":token", s(token),
                ":now_s", n(NOW_S),
                ":now_ms", n(NOW_MS),
                ":none", s("NONE"),
                ":zero", n("0")));
        assertThat(r.returnValues()).isEqualTo(ReturnValue.ALL_OLD);
        assertThat(r.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(fake.requests).hasSize(1);
        assertThat(result).isEqualTo(new Claimed(token, 0));
    }

    // ---------------------------------------------------------------- bounded by the invocation's time left

    @Test
    void aBoundedStoreGivesEveryCallTheTimeLeftAsItsApiCallTimeoutAndTurnsTheSdkTimeoutIntoADeadline() {
        DedupStore bounded = store.withCallTimeout(() -> Duration.ofMillis(750));
        bounded.complete(ID, "token-1", EXPIRES);
        bounded.read(List.of(ID));
        bounded.advanceWatermark(ID, null, DedupStore.Watermark.of("1", -1), EXPIRES);
        assertThat(fake.requests).hasSize(3).allSatisfy(r -> assertThat(((software.amazon.awssdk.awscore.AwsRequest) r)
                .overrideConfiguration().flatMap(o -> o.apiCallTimeout())).contains(Duration.ofMillis(750)));

        fake.then(r -> {
            throw software.amazon.awssdk.core.exception.ApiCallTimeoutException.builder()
                    .message("Client execution did not complete before the specified timeout configuration: 750 millis")
                    .build();
        });
        assertThatThrownBy(() -> bounded.complete(ID, "token-1", EXPIRES)).isInstanceOf(CallDeadlineException.class)
                .hasMessageContaining("dedup");

        DedupStore spent = store.withCallTimeout(() -> Duration.ZERO);
        int before = fake.requests.size();
        assertThatThrownBy(() -> spent.claim(ID, null, LEASE_UNTIL, EXPIRES)).isInstanceOf(CallDeadlineException.class);
        assertThat(fake.requests).as("no time left: not even started").hasSize(before);
    }

    @Test
    void anUnboundedStoreSetsNoCallTimeout() {
        store.complete(ID, "token-1", EXPIRES);
        assertThat(fake.request(0, UpdateItemRequest.class).overrideConfiguration()).isEmpty();
    }

    @Test
    void claimTakingOverAnEndedLeaseCountsThatAttemptWithASecondConditionalUpdate() {
        fake.then(r -> UpdateItemResponse.builder().attributes(Map.of("id", s(ID), "status", s("INPROGRESS"),
                "attempts", n("1"), "expiration", n(EXPIRES_S), "in_progress_expiration", n("1893456000000"),
                "lease_token", s("the-timed-out-one"))).build());

        DedupStore.ClaimResult result = claim(null);

        String token = ((Claimed) result).leaseToken();
        UpdateItemRequest count = fake.request(1, UpdateItemRequest.class);
        assertThat(count.key()).isEqualTo(Map.of("id", s(ID)));
        assertThat(count.updateExpression()).as("absolute: the SDK's retry of it changes nothing")
                .isEqualTo("SET attempts = :counted");
        assertThat(count.conditionExpression()).isEqualTo("lease_token = :token");
        assertThat(count.expressionAttributeValues()).isEqualTo(Map.of(":counted", n("2"), ":token", s(token)));
        assertThat(fake.requests).hasSize(2);
        assertThat(result).isEqualTo(new Claimed(token, 2));
    }

    @Test
    void releaseIsOneUpdateConditionalOnTheLeaseThatKeepsTheAttempts() {
        assertThat(store.release(ID, "token-1", EXPIRES)).isTrue();

        UpdateItemRequest r = fake.request(0, UpdateItemRequest.class);
        assertThat(r.updateExpression())
                .isEqualTo("SET #status = :failed, write_token = :call REMOVE lease_token, in_progress_expiration");
        assertThat(r.conditionExpression()).isEqualTo("#status = :inprogress AND lease_token = :token");
        assertThat(r.expressionAttributeNames()).isEqualTo(Map.of("#status", "status"));
        assertThat(r.expressionAttributeValues()).isEqualTo(Map.of(":failed", s("FAILED"),
                ":inprogress", s("INPROGRESS"), ":token", s("token-1"), ":call", callToken(r)));
        assertThat(r.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    /** The call's fresh write token (a UUID), checked for shape: its value is random. */
    private static AttributeValue callToken(UpdateItemRequest r) {
        AttributeValue call = r.expressionAttributeValues().get(":call");
        assertThat(call).isNotNull();
        assertThat(call.s()).hasSize(36);
        return call;
    }

    private DedupStore.ClaimResult claim(String validation) {
        return store.claim(ID, validation, LEASE_UNTIL, EXPIRES);
    }

    @Test
    void claimWithValidationSetsIt() {
        claim("sha-1");

        UpdateItemRequest r = fake.request(0, UpdateItemRequest.class);
        assertThat(r.updateExpression()).isEqualTo("SET #status = :inprogress, in_progress_expiration = :lease_until,"
                + " expiration = :expiration, lease_token = :token, write_token = :token,"
                + " prev_status = if_not_exists(#status, :none), prev_expiration = if_not_exists(expiration, :zero),"
                + " validation = :validation");
        assertThat(r.expressionAttributeValues()).containsEntry(":validation", s("sha-1"));
    }

    @Test
    void claimOfAFailedItemReportsItsAttempts() {
        fake.thenReturn(UpdateItemResponse.builder().attributes(Map.of("id", s(ID), "status", s("FAILED"),
                "attempts", n("2"), "expiration", n(EXPIRES_S))).build());

        assertThat(claim(null)).isInstanceOfSatisfying(Claimed.class, c -> assertThat(c.failedAttempts()).isEqualTo(2));
        assertThat(fake.requests).hasSize(1);
    }

    @Test
    void claimReplacingAnExpiredItemClearsItsHistoryWithASecondConditionalWrite() {
        fake.thenReturn(UpdateItemResponse.builder().attributes(Map.of("id", s(ID), "status", s("FAILED"),
                "attempts", n("2"), "validation", s("old"), "expiration", n("1893455999"))).build());

        DedupStore.ClaimResult result = claim(null);

        assertThat(result).isInstanceOfSatisfying(Claimed.class, c -> assertThat(c.failedAttempts()).isZero());
        UpdateItemRequest clear = fake.request(1, UpdateItemRequest.class);
        assertThat(clear.key()).isEqualTo(Map.of("id", s(ID)));
        assertThat(clear.updateExpression()).isEqualTo("REMOVE attempts, validation, #data");
        assertThat(clear.conditionExpression()).isEqualTo("lease_token = :token");
        assertThat(clear.expressionAttributeNames()).isEqualTo(Map.of("#data", "data"));
        assertThat(clear.expressionAttributeValues()).isEqualTo(Map.of(":token", s(((Claimed) result).leaseToken())));
    }

    @Test
    void aRejectedClaimReturnsTheItemFromTheConditionFailure() {
        fake.thenThrow(conditionFailed(Map.of("id", s(ID), "status", s("COMPLETED"), "expiration", n(EXPIRES_S),
                "validation", s("sha"), "attempts", n("1"))));

        assertThat(claim(null)).isEqualTo(new Rejected(new Entry(ID, Status.COMPLETED, Long.parseLong(EXPIRES_S), 0,
                1, "sha", null)));
        assertThat(fake.requests).hasSize(1);
    }

    @Test
    void withoutTheItemInTheConditionFailureARejectedClaimReadsItConsistently() {
        fake.thenThrow(conditionFailed(null)).thenReturn(GetItemResponse.builder().item(Map.of("id", s(ID),
                "status", s("INPROGRESS"), "lease_token", s("t"), "in_progress_expiration", n("1893456010000")))
                .build());

        assertThat(claim(null)).isInstanceOfSatisfying(Rejected.class,
                r -> assertThat(r.existing().leaseToken()).isEqualTo("t"));
        GetItemRequest get = fake.request(1, GetItemRequest.class);
        assertThat(get.consistentRead()).isTrue();
        assertThat(get.key()).isEqualTo(Map.of("id", s(ID)));
    }

    // ---------------------------------------------------------------- transitions

    @Test
    void releaseParkedIsOneConditionalDeleteThatRecognisesItsOwnEarlierSuccess() {
        assertThat(store.releaseParked(ID)).isTrue();
        fake.thenThrow(conditionFailed(null)); // absent, e.g. the SDK's retry after a lost response
        assertThat(store.releaseParked(ID)).isTrue();
        fake.thenThrow(conditionFailed(Map.of("id", s(ID), "status", s("COMPLETED"), "expiration", n(EXPIRES_S))));
        assertThat(store.releaseParked(ID)).isFalse();
        fake.thenThrow(conditionFailed(Map.of("id", s(ID), "status", s("COMPLETED"), "expiration", n("1"))));
        assertThat(store.releaseParked(ID)).as("expired: counts as absent").isTrue();

        software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest r =
                fake.request(0, software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest.class);
        assertThat(r.tableName()).isEqualTo("dedup");
        assertThat(r.key()).isEqualTo(Map.of("id", s(ID)));
        assertThat(r.conditionExpression()).isEqualTo("#status = :parked");
        assertThat(r.expressionAttributeNames()).isEqualTo(Map.of("#status", "status"));
        assertThat(r.expressionAttributeValues()).isEqualTo(Map.of(":parked", s("PARKED")));
        assertThat(r.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(fake.requests).hasSize(4);
    }

    @Test
    void completeIsConditionalOnTheLease() {
        assertThat(store.complete(ID, "tok", EXPIRES)).isTrue();
        fake.thenThrow(conditionFailed(null));
        assertThat(store.complete(ID, "tok", EXPIRES)).isFalse();

        UpdateItemRequest r = fake.request(0, UpdateItemRequest.class);
        assertThat(r.updateExpression())
                .isEqualTo("SET #status = :completed, expiration = :expiration, write_token = :call"
                        + " REMOVE lease_token, in_progress_expiration");
        assertThat(r.conditionExpression()).isEqualTo("#status = :inprogress AND lease_token = :token");
        assertThat(r.expressionAttributeNames()).isEqualTo(Map.of("#status", "status"));
        assertThat(r.expressionAttributeValues()).isEqualTo(Map.of(":completed", s("COMPLETED"),
                ":expiration", n(EXPIRES_S), ":inprogress", s("INPROGRESS"), ":token", s("tok"),
                ":call", callToken(r)));
        assertThat(r.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void recordFailureWithoutALeaseSkipsDoneItems() {
        fake.thenReturn(UpdateItemResponse.builder().attributes(Map.of("id", s(ID), "status", s("FAILED"),
                "attempts", n("4"), "expiration", n(EXPIRES_S))).build());
        assertThat(store.recordFailure(ID, null, EXPIRES)).isEqualTo(5);
        fake.thenThrow(conditionFailed(null));
        assertThat(store.recordFailure(ID, null, EXPIRES)).isEqualTo(-1);

        UpdateItemRequest r = fake.request(0, UpdateItemRequest.class);
        assertThat(r.updateExpression()).isEqualTo("SET #status = :failed, expiration = :expiration,"
                + " write_token = :call, prev_expiration = if_not_exists(expiration, :zero)"
                + " ADD attempts :one REMOVE lease_token, in_progress_expiration");
        assertThat(r.conditionExpression()).isEqualTo("(attribute_not_exists(id) OR expiration < :now_s"
                + " OR NOT (#status IN (:completed, :parked)))"
                + " AND (attribute_not_exists(write_token) OR write_token <> :call)");
        assertThat(r.expressionAttributeValues()).isEqualTo(Map.of(":failed", s("FAILED"), ":expiration",
                n(EXPIRES_S), ":one", n("1"), ":now_s", n(NOW_S), ":completed", s("COMPLETED"), ":parked",
                s("PARKED"), ":zero", n("0"), ":call", callToken(r)));
        assertThat(r.returnValues()).isEqualTo(ReturnValue.ALL_OLD);
    }

    @Test
    void recordFailureWithALeaseNeedsIt() {
        assertThat(store.recordFailure(ID, "tok", EXPIRES)).isEqualTo(1);

        UpdateItemRequest r = fake.request(0, UpdateItemRequest.class);
        assertThat(r.conditionExpression()).isEqualTo("#status = :inprogress AND lease_token = :token");
        assertThat(r.expressionAttributeValues()).isEqualTo(Map.of(":failed", s("FAILED"), ":expiration",
                n(EXPIRES_S), ":one", n("1"), ":inprogress", s("INPROGRESS"), ":token", s("tok"), ":zero", n("0"),
                ":call", callToken(r)));
    }

    @Test
    void recordFailureOnAnExpiredItemRestartsTheCount() {
        fake.thenReturn(UpdateItemResponse.builder().attributes(Map.of("id", s(ID), "status", s("FAILED"),
                "attempts", n("3"), "expiration", n("1893455999"))).build());

        assertThat(store.recordFailure(ID, null, EXPIRES)).isEqualTo(1);

        UpdateItemRequest clear = fake.request(1, UpdateItemRequest.class);
        assertThat(clear.updateExpression()).isEqualTo("SET attempts = :one REMOVE validation, #data");
        assertThat(clear.conditionExpression()).isEqualTo("#status = :failed AND attempts = :written");
        assertThat(clear.expressionAttributeNames()).isEqualTo(Map.of("#status", "status", "#data", "data"));
        assertThat(clear.expressionAttributeValues()).isEqualTo(Map.of(":failed", s("FAILED"), ":written", n("4"),
                ":one", n("1")));
    }

    @Test
    void markParkedIsConditionalOnlyOnAGivenLease() {
        assertThat(store.markParked(ID, null, EXPIRES)).isTrue();
        assertThat(store.markParked(ID, "tok", EXPIRES)).isTrue();
        fake.thenThrow(conditionFailed(null));
        assertThat(store.markParked(ID, "tok", EXPIRES)).as("lease lost").isFalse();

        UpdateItemRequest without = fake.request(0, UpdateItemRequest.class);
        assertThat(without.updateExpression())
                .isEqualTo("SET #status = :parked, expiration = :expiration, write_token = :call"
                        + " REMOVE lease_token, in_progress_expiration");
        assertThat(without.conditionExpression()).isNull();
        assertThat(without.expressionAttributeValues()).isEqualTo(Map.of(":parked", s("PARKED"), ":expiration",
                n(EXPIRES_S), ":call", callToken(without)));
        UpdateItemRequest with = fake.request(1, UpdateItemRequest.class);
        assertThat(with.conditionExpression()).isEqualTo("#status = :inprogress AND lease_token = :token");
    }

    @Test
    void watermarksArePutConditionallyWithTheSequenceAsAString() {
        Watermark w = Watermark.of("49590338271490256608559692538361571095921575989136588898", 2);
        store.advanceWatermark(ID, null, w, EXPIRES);
        fake.thenThrow(conditionFailed(null));
        assertThat(store.advanceWatermark(ID, Watermark.of("7", -1), w, EXPIRES)).isFalse();

        PutItemRequest first = fake.request(0, PutItemRequest.class);
        assertThat(first.item()).isEqualTo(Map.of("id", s(ID),
                "watermark_seq", s("49590338271490256608559692538361571095921575989136588898"),
                "watermark_sub_seq", n("2"), "expiration", n(EXPIRES_S), "write_token", first.item().get("write_token")));
        assertThat(first.item().get("write_token").s()).hasSize(36);
        assertThat(fake.request(1, PutItemRequest.class).item().get("write_token"))
                .as("a fresh token per call").isNotEqualTo(first.item().get("write_token"));
        assertThat(first.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(first.conditionExpression()).isEqualTo("attribute_not_exists(id) OR expiration < :now_s");
        assertThat(first.expressionAttributeValues()).isEqualTo(Map.of(":now_s", n(NOW_S)));
        PutItemRequest second = fake.request(1, PutItemRequest.class);
        assertThat(second.conditionExpression())
                .isEqualTo("watermark_seq = :expected_seq AND watermark_sub_seq = :expected_sub");
        assertThat(second.expressionAttributeValues()).isEqualTo(Map.of(":expected_seq", s("7"), ":expected_sub",
                n("-1")));
    }

    // ---------------------------------------------------------------- reads

    @Test
    void readsAreConsistentBatchGetsOfAHundredKeysDroppingExpiredItems() {
        List<String> ids = IntStream.range(0, 250).mapToObj(i -> "c#" + i).toList();
        fake.then(r -> BatchGetItemResponse.builder().responses(Map.of("dedup", List.of(
                Map.of("id", s("c#0"), "status", s("COMPLETED"), "expiration", n(EXPIRES_S)),
                Map.of("id", s("c#1"), "status", s("COMPLETED"), "expiration", n("1893455999")),
                Map.of("id", s("c#2"), "expiration", n(EXPIRES_S), "watermark_seq", s("5"))))).build());

        Map<String, Entry> found = store.read(ids);

        assertThat(found).containsOnlyKeys("c#0");
        assertThat(fake.requests).hasSize(3);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KeysAndAttributes k = fake.request(i, BatchGetItemRequest.class).requestItems().get("dedup");
            sizes.add(k.keys().size());
            assertThat(k.consistentRead()).isTrue();
            assertThat(k.projectionExpression())
                    .isEqualTo("id, #status, expiration, in_progress_expiration, attempts, validation, lease_token");
            assertThat(k.expressionAttributeNames()).isEqualTo(Map.of("#status", "status"));
        }
        assertThat(sizes).containsExactly(100, 100, 50);
    }

    @Test
    void unprocessedKeysAreAskedAgainAfterABackoff() {
        Map<String, AttributeValue> k2 = Map.of("id", s("c#2"));
        fake.thenReturn(BatchGetItemResponse.builder()
                        .responses(Map.of("dedup", List.of(Map.of("id", s("c#1"), "status", s("PARKED")))))
                        .unprocessedKeys(Map.of("dedup", KeysAndAttributes.builder().keys(List.of(k2)).consistentRead(true)
                                .build())).build())
                .thenReturn(BatchGetItemResponse.builder()
                        .responses(Map.of("dedup", List.of(Map.of("id", s("c#2"), "status", s("COMPLETED")))))
                        .build());

        assertThat(store.read(List.of("c#1", "c#2")).keySet()).containsExactly("c#1", "c#2");
        assertThat(fake.request(1, BatchGetItemRequest.class).requestItems().get("dedup").keys())
                .containsExactly(k2);
        assertThat(pauses).hasSize(1);
    }

    @Test
    void watermarkReadsProjectTheWatermarkOnly() {
        store.readWatermarks(List.of(ID));

        KeysAndAttributes k = fake.request(0, BatchGetItemRequest.class).requestItems().get("dedup");
        assertThat(k.projectionExpression()).isEqualTo("id, expiration, watermark_seq, watermark_sub_seq");
        assertThat(k.hasExpressionAttributeNames()).isFalse();
    }

    // ---------------------------------------------------------------- commit

    private static TransactWriteItem userWrite(String pk) {
        return TransactWriteItem.builder().update(Update.builder().tableName("orders")
                .key(Map.of("pk", s(pk))).updateExpression("ADD n :one")
                .expressionAttributeValues(Map.of(":one", n("1"))).build()).build();
    }

    @Test
    void commitPutsMarkersWithTheClaimConditionBeforeEachRecordsWrites() {
        List<CommitResult> results = store.commit(List.of(new Staged("c#a", "sha", List.of(userWrite("1"))),
                new Staged("c#b", null, List.of())), EXPIRES);

        assertThat(results).extracting(CommitResult::status).containsExactly(CommitStatus.COMMITTED,
                CommitStatus.COMMITTED);
        List<TransactWriteItem> items = fake.request(0, TransactWriteItemsRequest.class).transactItems();
        assertThat(items).hasSize(3);
        assertThat(items.get(0).put().tableName()).isEqualTo("dedup");
        assertThat(items.get(0).put().item()).isEqualTo(Map.of("id", s("c#a"), "status", s("COMPLETED"),
                "expiration", n(EXPIRES_S), "validation", s("sha")));
        assertThat(items.get(0).put().conditionExpression()).isEqualTo("attribute_not_exists(id)"
                + " OR expiration < :now_s OR #status = :failed"
                + " OR (#status = :inprogress AND in_progress_expiration < :now_ms)");
        assertThat(items.get(0).put().expressionAttributeNames()).isEqualTo(Map.of("#status", "status"));
        assertThat(items.get(0).put().expressionAttributeValues()).isEqualTo(Map.of(":now_s", n(NOW_S),
                ":now_ms", n(NOW_MS), ":failed", s("FAILED"), ":inprogress", s("INPROGRESS")));
        assertThat(items.get(1)).isEqualTo(userWrite("1"));
        assertThat(items.get(2).put().item()).containsEntry("id", s("c#b")).doesNotContainKey("validation");
    }

    private static TransactionCanceledException cancelled(String... codes) {
        List<CancellationReason> reasons = new ArrayList<>();
        for (String code : codes) {
            reasons.add(CancellationReason.builder().code(code).build());
        }
        return TransactionCanceledException.builder().message("Transaction cancelled").cancellationReasons(reasons)
                .build();
    }

    @Test
    void cancellationReasonsDecideEachRecord() {
        // items: [a marker, a write, b marker, b write, c marker, c write, d marker]
        fake.thenThrow(cancelled("ConditionalCheckFailed", "None", "None", "None", "None", "ConditionalCheckFailed",
                "None"));

        List<CommitResult> results = store.commit(List.of(new Staged("c#a", null, List.of(userWrite("a"))),
                new Staged("c#b", null, List.of(userWrite("b"))), new Staged("c#c", null, List.of(userWrite("c"))),
                new Staged("c#d", null, List.of())), EXPIRES);

        assertThat(results).extracting(CommitResult::status).containsExactly(CommitStatus.DUPLICATE,
                CommitStatus.COMMITTED, CommitStatus.FAILED, CommitStatus.NOT_COMMITTED);
        assertThat(results.get(2).error()).hasMessageContaining("staged write 1 of 1 (Update on table 'orders')")
                .hasMessageContaining("c#c");
        List<TransactWriteItem> retried = fake.request(1, TransactWriteItemsRequest.class).transactItems();
        assertThat(retried).hasSize(2);
        assertThat(retried.get(0).put().item()).containsEntry("id", s("c#b"));
        assertThat(pauses).isEmpty();
    }

    @Test
    void theFirstFailureStopsEverythingAfterItEvenWhenReasonsComePiecemeal() {
        // items: [a marker, a write, b marker, b write, c marker, c write]; c's failure is reported first
        fake.thenThrow(cancelled("None", "None", "None", "None", "None", "ConditionalCheckFailed"))
                .thenThrow(cancelled("None", "ConditionalCheckFailed", "None", "None"));

        List<CommitResult> results = store.commit(List.of(new Staged("c#a", null, List.of(userWrite("a"))),
                new Staged("c#b", null, List.of(userWrite("b"))), new Staged("c#c", null, List.of(userWrite("c")))),
                EXPIRES);

        assertThat(results).extracting(CommitResult::status).containsExactly(CommitStatus.FAILED,
                CommitStatus.NOT_COMMITTED, CommitStatus.NOT_COMMITTED);
        assertThat(results.get(0).error()).hasMessageContaining("c#a");
        assertThat(results.get(2).error()).isNull();
    }

    @Test
    void duplicatesReportedOneAtATimeDoNotUseUpTheRetries() {
        List<Staged> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(new Staged("c#" + i, null, List.of()));
        }
        for (int i = 0; i < 11; i++) {
            String[] codes = new String[12 - i];
            java.util.Arrays.fill(codes, "None");
            codes[0] = "ConditionalCheckFailed";
            fake.thenThrow(cancelled(codes));
        }

        List<CommitResult> results = store.commit(records, EXPIRES);

        assertThat(results.subList(0, 11)).extracting(CommitResult::status).containsOnly(CommitStatus.DUPLICATE);
        assertThat(results.get(11).status()).isEqualTo(CommitStatus.COMMITTED);
        assertThat(fake.requests).hasSize(12);
        assertThat(pauses).isEmpty();
    }

    @Test
    void aValidationErrorOnAUserWriteIsNonRetryable() {
        fake.thenThrow(cancelled("None", "ValidationError"));

        List<CommitResult> results = store.commit(List.of(new Staged("c#a", null, List.of(userWrite("a")))),
                EXPIRES);

        assertThat(results.get(0).status()).isEqualTo(CommitStatus.FAILED);
        assertThat(results.get(0).error()).isInstanceOf(NonRetryableException.class);
    }

    @Test
    void conflictsAndThrottlingBackOffAndRetryBoundedly() {
        fake.thenThrow(cancelled("TransactionConflict", "None"))
                .thenThrow(ProvisionedThroughputExceededException.builder().message("slow down").build());

        List<CommitResult> results = store.commit(List.of(new Staged("c#a", null, List.of(userWrite("a")))),
                EXPIRES);
        assertThat(results.get(0).status()).isEqualTo(CommitStatus.COMMITTED);
        assertThat(fake.requests).hasSize(3);
        assertThat(pauses).hasSize(2);

        for (int i = 0; i < 8; i++) {
            fake.thenThrow(cancelled("None", "TransactionConflict"));
        }
        assertThatThrownBy(() -> store.commit(List.of(new Staged("c#b", null, List.of(userWrite("b")))), EXPIRES))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("DynamoDB table 'dedup'")
                .hasMessageContaining("after 8 tries");
    }

    @Test
    void aRequestRejectedAsInvalidIsRetriedRecordByRecordToFindTheCulprit() {
        DynamoDbException invalid = (DynamoDbException) DynamoDbException.builder()
                .message("Transaction request cannot include multiple operations on one item")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").build())
                .statusCode(400).build();
        fake.thenThrow(invalid).thenReturn(null).thenThrow(invalid);

        List<CommitResult> results = store.commit(List.of(new Staged("c#a", null, List.of(userWrite("a"))),
                new Staged("c#b", null, List.of(userWrite("b"))), new Staged("c#c", null, List.of())), EXPIRES);

        assertThat(results).extracting(CommitResult::status).containsExactly(CommitStatus.COMMITTED,
                CommitStatus.FAILED, CommitStatus.NOT_COMMITTED);
        assertThat(results.get(1).error()).isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("multiple operations on one item");
        assertThat(fake.requests).hasSize(3);
    }

    @Test
    void anInvalidMarkerFailsTheBatchRatherThanParkingRecords() {
        fake.thenThrow(DynamoDbException.builder().message("The provided key element does not match the schema")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").build())
                .statusCode(400).build());

        assertThatThrownBy(() -> store.commit(List.of(new Staged("c#a", null, List.of())), EXPIRES))
                .isInstanceOf(StreamProcessingException.class)
                .isNotInstanceOf(NonRetryableException.class)
                .hasMessageContaining("rejected the dedup marker of record 'c#a' as invalid")
                .hasMessageContaining("key schema");
    }

    @Test
    void transactionsStayUnderFourMegabytesByEstimate() {
        String large = "x".repeat(1_200_000);
        List<Staged> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String pk = "big" + i;
            records.add(new Staged("c#" + i, null, List.of(TransactWriteItem.builder().update(u -> u
                    .tableName("orders").key(Map.of("pk", s(pk))).updateExpression("SET v = :v")
                    .expressionAttributeValues(Map.of(":v", s(large)))).build())));
        }

        assertThat(store.commit(records, EXPIRES)).extracting(CommitResult::status)
                .containsOnly(CommitStatus.COMMITTED);

        assertThat(fake.requests).hasSize(2);
        assertThat(fake.request(0, TransactWriteItemsRequest.class).transactItems()).hasSize(6); // 3 records
        assertThat(fake.request(1, TransactWriteItemsRequest.class).transactItems()).hasSize(4); // 2 records
    }

    @Test
    void putsAreKeyedByTheTargetTablesSchemaReadOnce() {
        fake.thenReturn(describe("orders", "pk", "sk"));
        TransactWriteItem put1 = TransactWriteItem.builder().put(p -> p.tableName("orders")
                .item(Map.of("pk", s("1"), "sk", s("x"), "v", s("a")))).build();
        TransactWriteItem put2 = TransactWriteItem.builder().put(p -> p.tableName("orders")
                .item(Map.of("pk", s("1"), "sk", s("y"), "v", s("b")))).build();
        TransactWriteItem put3 = TransactWriteItem.builder().put(p -> p.tableName("orders")
                .item(Map.of("pk", s("1"), "sk", s("x"), "v", s("c")))).build();

        store.commit(List.of(new Staged("c#a", null, List.of(put1)), new Staged("c#b", null, List.of(put2)),
                new Staged("c#c", null, List.of(put3))), EXPIRES);

        assertThat(fake.requests).extracting(r -> r.getClass().getSimpleName()).containsExactly(
                "DescribeTableRequest", "TransactWriteItemsRequest", "TransactWriteItemsRequest");
        assertThat(fake.request(1, TransactWriteItemsRequest.class).transactItems()).hasSize(4);
    }

    // ---------------------------------------------------------------- checkReady against "real AWS"

    private static DescribeTableResponse describe(String table, String hash, String range) {
        List<KeySchemaElement> keys = new ArrayList<>();
        List<AttributeDefinition> defs = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(hash).keyType(KeyType.HASH).build());
        defs.add(AttributeDefinition.builder().attributeName(hash).attributeType("S").build());
        if (range != null) {
            keys.add(KeySchemaElement.builder().attributeName(range).keyType(KeyType.RANGE).build());
            defs.add(AttributeDefinition.builder().attributeName(range).attributeType("S").build());
        }
        return DescribeTableResponse.builder().table(t -> t.tableName(table).tableStatus(TableStatus.ACTIVE)
                .keySchema(keys).attributeDefinitions(defs)).build();
    }

    @Test
    void checkReadyFailsWithoutTtlOutsideALocalEmulator() {
        fake.thenReturn(describe("dedup", "id", null)).thenReturn(DescribeTimeToLiveResponse.builder()
                .timeToLiveDescription(t -> t.timeToLiveStatus(TimeToLiveStatus.DISABLED)).build());

        assertThatThrownBy(store::checkReady)
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("'dedup' has Time to Live DISABLED")
                .hasMessageContaining("aws dynamodb update-time-to-live --table-name dedup "
                        + "--time-to-live-specification Enabled=true,AttributeName=expiration");
    }

    @Test
    void checkReadyAcceptsTtlBeingEnabled() {
        fake.thenReturn(describe("dedup", "id", null)).thenReturn(DescribeTimeToLiveResponse.builder()
                .timeToLiveDescription(t -> t.timeToLiveStatus(TimeToLiveStatus.ENABLING).attributeName("expiration"))
                .build());

        store.checkReady();
        assertThat(fake.requests).hasSize(2);
    }

    @Test
    void checkReadyRefusesATableBeingCreated() {
        fake.thenReturn(DescribeTableResponse.builder().table(t -> t.tableName("dedup")
                .tableStatus(TableStatus.CREATING)).build());

        assertThatThrownBy(store::checkReady).hasMessageContaining("'dedup' is CREATING, not ACTIVE");
    }

    @Test
    void accessDeniedSaysWhichPermissionToGrant() {
        fake.thenThrow(DynamoDbException.builder().message("not authorized")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").build())
                .statusCode(400).build());

        assertThatThrownBy(() -> store.complete(ID, "tok", EXPIRES))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("'dedup': UpdateItem (completing dedup record 'orders#abc123') failed")
                .hasMessageContaining("grant the function's role dynamodb:UpdateItem on table 'dedup'");
    }

    @Test
    void theSortKeyLayoutSplitsTheIdAtTheFirstHash() {
        DynamoDbDedupStore shared = DynamoDbDedupStore.builder(fake, "shared").sortKey("key").build();
        shared.claim("orders#abc#1", null, LEASE_UNTIL, EXPIRES);
        shared.read(List.of("orders#abc#1"));

        assertThat(fake.request(0, UpdateItemRequest.class).key()).isEqualTo(Map.of("id", s("orders"),
                "key", s("abc#1")));
        KeysAndAttributes k = fake.request(1, BatchGetItemRequest.class).requestItems().get("shared");
        assertThat(k.projectionExpression()).endsWith(", #sk");
        assertThat(k.expressionAttributeNames()).containsEntry("#sk", "key");
    }
}
