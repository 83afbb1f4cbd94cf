package io.shardwise.ddb;

import io.shardwise.core.NonRetryableException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dropping duplicate and out-of-order changes from Kinesis Data Streams for DynamoDB. */
class StaleChangeFilterTest {

    private static final KinesisChangeRecordDecoder<Order> DECODER = KinesisChangeRecordDecoder.of(Schemas.BEAN);

    /** A change of item c-1/1: version in the image, creation time in ms. */
    private static ChangeRecord<Order> change(String eventName, long version, long createdMillis, String seq) {
        String newImage = "\"NewImage\": {\"customerId\": {\"S\": \"c-1\"}, \"orderId\": {\"N\": \"1\"}, "
                + "\"version\": {\"N\": \"" + version + "\"}},";
        String oldImage = "\"OldImage\": {\"customerId\": {\"S\": \"c-1\"}, \"orderId\": {\"N\": \"1\"}, "
                + "\"version\": {\"N\": \"" + (eventName.equals("REMOVE") ? version : version - 1) + "\"}},";
        String json = "{\"eventID\": \"e-" + seq + "\", \"eventName\": \"" + eventName + "\", \"tableName\": \"Orders\","
                + "\"eventSource\": \"aws:dynamodb\", \"dynamodb\": {"
                + "\"ApproximateCreationDateTime\": " + createdMillis + ","
                + "\"ApproximateCreationDateTimePrecision\": \"MILLISECOND\","
                + "\"Keys\": {\"customerId\": {\"S\": \"c-1\"}, \"orderId\": {\"N\": \"1\"}},"
                + (eventName.equals("REMOVE") ? "" : newImage)
                + (eventName.equals("INSERT") ? "" : oldImage)
                + "\"SizeBytes\": 10}}";
        return DECODER.decode(json.getBytes(StandardCharsets.UTF_8), seq);
    }

    @Test
    void byVersionAttributeDropsOlderAndRepeatedWritesButAppliesARepeatedDeleteAgain() {
        StaleChangeFilter filter = StaleChangeFilter.byVersionAttribute("version");
        ChangeRecord<Order> v1 = change("INSERT", 1, 1000, "1");
        ChangeRecord<Order> v2 = change("MODIFY", 2, 2000, "2");
        ChangeRecord<Order> v3 = change("MODIFY", 3, 3000, "3");
        ChangeRecord<Order> delete = change("REMOVE", 3, 4000, "4");

        // Delivered out of order and with duplicates, as Kinesis Data Streams for DynamoDB may.
        List<ChangeRecord<Order>> delivered = List.of(v1, v3, v2, v3, v1, delete, v2, delete);
        Map<String, BigDecimal> store = new HashMap<>();
        List<String> applied = new ArrayList<>();
        for (ChangeRecord<Order> c : delivered) {
            String key = StaleChangeFilter.itemKey(c);
            if (!filter.isStale(c, store.get(key))) {
                applied.add(c.eventName() + "@" + filter.versionOf(c));
                store.put(key, filter.versionOf(c));
            }
        }
        // v2 arrived after v3: stale. The delete of version 3 is newer than the write of version 3; its duplicate
        // is applied again (harmless).
        assertThat(applied).containsExactly("INSERT@1", "MODIFY@3", "REMOVE@3", "REMOVE@3");
        assertThat(store).containsOnlyKeys("{\"customerId\":{\"S\":\"c-1\"},\"orderId\":{\"N\":\"1\"}}");
    }

    @Test
    void byVersionAttributeAnEqualVersionIsStaleForAWriteButNotForADelete() {
        StaleChangeFilter filter = StaleChangeFilter.byVersionAttribute("version");
        ChangeRecord<Order> v2 = change("MODIFY", 2, 2000, "2");
        ChangeRecord<Order> deleteV2 = change("REMOVE", 2, 3000, "3");

        assertThat(filter.isStale(v2, null)).isFalse();
        assertThat(filter.isStale(v2, BigDecimal.ONE)).isFalse();
        assertThat(filter.isStale(v2, new BigDecimal("2.0"))).isTrue();
        assertThat(filter.isStale(v2, BigDecimal.TEN)).isTrue();
        assertThat(filter.isStale(deleteV2, new BigDecimal(2))).isFalse();
        assertThat(filter.isStale(deleteV2, new BigDecimal(3))).isTrue();
    }

    @Test
    void byCreationTimeDropsOnlyStrictlyOlderChanges() {
        StaleChangeFilter filter = StaleChangeFilter.byCreationTime();
        ChangeRecord<Order> early = change("MODIFY", 2, 1714564860123L, "2");
        ChangeRecord<Order> sameMillisecond = change("MODIFY", 3, 1714564860123L, "3");

        assertThat(filter.versionOf(early)).isEqualByComparingTo("1714564860123000");
        assertThat(filter.isStale(early, null)).isFalse();
        assertThat(filter.isStale(early, new BigDecimal("1714564860123001"))).isTrue();
        // Equal times cannot be ordered: applied, not dropped.
        assertThat(filter.isStale(sameMillisecond, filter.versionOf(early))).isFalse();
    }

    @Test
    void conditionExpressionForTheUsersOwnConditionalWrite() {
        StaleChangeFilter filter = StaleChangeFilter.byVersionAttribute("version");

        Expression upsert = filter.applyIfNewerCondition(change("MODIFY", 7, 1, "7"), "appliedVersion");
        assertThat(upsert.expression())
                .isEqualTo("attribute_not_exists(#shardwise_version) OR #shardwise_version < :shardwise_version");
        assertThat(upsert.expressionNames()).isEqualTo(Map.of("#shardwise_version", "appliedVersion"));
        assertThat(upsert.expressionValues()).isEqualTo(Map.of(":shardwise_version", AttributeValue.fromN("7")));

        Expression delete = filter.applyIfNewerCondition(change("REMOVE", 7, 1, "8"), "appliedVersion");
        assertThat(delete.expression())
                .isEqualTo("attribute_not_exists(#shardwise_version) OR #shardwise_version <= :shardwise_version");

        Expression byTime = StaleChangeFilter.byCreationTime()
                .applyIfNewerCondition(change("MODIFY", 7, 1714564860123L, "9"), "appliedAt");
        assertThat(byTime.expression())
                .isEqualTo("attribute_not_exists(#shardwise_version) OR #shardwise_version <= :shardwise_version");
        assertThat(byTime.expressionValues()).isEqualTo(Map.of(":shardwise_version",
                AttributeValue.fromN("1714564860123000")));
    }

    @Test
    void aChangeWithoutTheVersionAttributeCannotBeJudged() {
        ChangeRecord<Order> change = change("MODIFY", 2, 2000, "2");
        StaleChangeFilter filter = StaleChangeFilter.byVersionAttribute("revision");
        assertThatThrownBy(() -> filter.isStale(change, BigDecimal.ONE))
                .isInstanceOf(NonRetryableException.class)
                .hasMessage("Change 2 (eventID e-2, MODIFY): its new image has no numeric (N) attribute 'revision', "
                        + "so its version cannot be compared");
        assertThatThrownBy(() -> StaleChangeFilter.byVersionAttribute(" "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void versionAttributeNeedsTheImagesTheStreamCarries() throws Exception {
        ChangeRecord<Order> keysOnly = Fixtures.changes("view-keys-only.json", Schemas.BEAN).get(1);
        assertThatThrownBy(() -> StaleChangeFilter.byVersionAttribute("version").versionOf(keysOnly))
                .isInstanceOf(MissingImageException.class);
    }
}
