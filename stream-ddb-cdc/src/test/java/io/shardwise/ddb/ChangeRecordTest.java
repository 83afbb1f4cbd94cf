package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import io.shardwise.core.ExceptionClassifier;
import io.shardwise.core.NonRetryableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.shardwise.ddb.ChangeRecord.EventName.INSERT;
import static io.shardwise.ddb.ChangeRecord.EventName.MODIFY;
import static io.shardwise.ddb.ChangeRecord.EventName.REMOVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Change records from the golden DynamoDB Streams events: metadata, typed images, view types, changes. */
class ChangeRecordTest {

    private static final Map<String, AttributeValue> KEYS = Map.of(
            "customerId", AttributeValue.fromS("c-1"), "orderId", AttributeValue.fromN("1"));

    @Test
    void newAndOldImagesCarryEverythingTyped() throws Exception {
        List<ChangeRecord<Order>> changes = Fixtures.changes("view-new-and-old-images.json", Schemas.BEAN);

        assertThat(changes).extracting(ChangeRecord::eventName).containsExactly(INSERT, MODIFY, REMOVE);
        assertThat(changes).extracting(ChangeRecord::sequenceNumber)
                .containsExactly("100000000000000000001", "100000000000000000002", "100000000000000000003");
        assertThat(changes).extracting(ChangeRecord::eventId).containsExactly("7de3041dd709b024af6f29e4fa13d34c",
                "a8f5f167f44f4964e6c998dee827110c", "c4ca4238a0b923820dcc509a6f75849b");
        assertThat(changes).allSatisfy(c -> {
            assertThat(c.keys()).isEqualTo(KEYS);
            assertThat(c.tableName()).isEqualTo("Orders");
            assertThat(c.awsRegion()).isEqualTo("us-east-1");
            assertThat(c.streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
            assertThat(c.ttlDelete()).isFalse();
        });
        assertThat(changes).extracting(ChangeRecord::approximateCreationTime).containsExactly(
                Instant.ofEpochSecond(1714564800), Instant.ofEpochSecond(1714564860), Instant.ofEpochSecond(1714564920));
        assertThat(changes).extracting(ChangeRecord::sizeBytes).containsExactly(112L, 230L, 118L);

        ChangeRecord<Order> insert = changes.get(0);
        assertThat(insert.oldImage()).isEmpty();
        assertThat(insert.oldImageAttributes()).isEmpty();
        Order placed = insert.newImage().orElseThrow();
        assertThat(placed.getCustomerId()).isEqualTo("c-1");
        assertThat(placed.getOrderId()).isEqualTo(1L);
        assertThat(placed.getStatus()).isEqualTo("PLACED");
        assertThat(placed.getTotal()).isEqualByComparingTo("19.99");
        assertThat(placed.getTags()).containsExactlyInAnyOrder("gift", "express");
        assertThat(insert.newImageAttributes().orElseThrow().get("total")).isEqualTo(AttributeValue.fromN("19.99"));

        ChangeRecord<Order> modify = changes.get(1);
        assertThat(modify.oldImage().orElseThrow().getStatus()).isEqualTo("PLACED");
        assertThat(modify.newImage().orElseThrow().getStatus()).isEqualTo("SHIPPED");
        assertThat(modify.newImage().orElseThrow().getNote()).isNull();

        ChangeRecord<Order> remove = changes.get(2);
        assertThat(remove.newImage()).isEmpty();
        assertThat(remove.newImageAttributes()).isEmpty();
        assertThat(remove.oldImage().orElseThrow().getShippedAt()).isEqualTo("2024-05-01T12:01:00Z");
        assertThat(remove.isUserDelete()).isTrue();
    }

    @Test
    void changedAttributesAreAddedRemovedAndModifiedComparedByMeaning() throws Exception {
        List<ChangeRecord<Order>> changes = Fixtures.changes("view-new-and-old-images.json", Schemas.BEAN);

        // INSERT: everything is added.
        assertThat(changes.get(0).changedAttributes())
                .containsExactly("customerId", "note", "orderId", "status", "tags", "total");
        assertThat(changes.get(0).addedAttributes()).isEqualTo(changes.get(0).changedAttributes());
        assertThat(changes.get(0).removedAttributes()).isEmpty();

        // MODIFY: total 19.99 -> 19.990 and tags in another order are not changes.
        ChangeRecord<Order> modify = changes.get(1);
        assertThat(modify.changedAttributes()).containsExactly("note", "shippedAt", "status");
        assertThat(modify.addedAttributes()).containsExactly("shippedAt");
        assertThat(modify.removedAttributes()).containsExactly("note");
        assertThat(modify.hasChanged("status")).isTrue();
        assertThat(modify.hasChanged("total")).isFalse();

        // REMOVE: everything is removed.
        assertThat(changes.get(2).changedAttributes())
                .containsExactly("customerId", "orderId", "shippedAt", "status", "tags", "total");
        assertThat(changes.get(2).removedAttributes()).isEqualTo(changes.get(2).changedAttributes());
    }

    @Test
    void ttlDeleteIsToldApartFromUserDelete() throws Exception {
        ChangeRecord<Order> ttl = Fixtures.changes("ttl-delete.json", Schemas.BEAN).get(0);

        assertThat(ttl.eventName()).isEqualTo(REMOVE);
        assertThat(ttl.ttlDelete()).isTrue();
        assertThat(ttl.isUserDelete()).isFalse();
        assertThat(ttl.oldImage().orElseThrow().getExpiresAt()).isEqualTo(1714651000L);
        assertThat(ttl.toString()).contains("REMOVE (TTL)");
    }

    /**
     * Only DynamoDB's Time to Live process deletes as {@code userIdentity {type: Service, principalId:
     * dynamodb.amazonaws.com}}: any other identity, or no identity (a user's delete), or another event, is not TTL.
     * The TTL fixture with its identity (and event name) replaced.
     */
    @ParameterizedTest(name = "{0} by {1} / {2}: TTL delete {3}")
    @CsvSource(nullValues = "none", value = {
        "REMOVE, Service, dynamodb.amazonaws.com, true",
        "REMOVE, none, none, false",
        "REMOVE, Service, events.amazonaws.com, false",
        "REMOVE, AssumedRole, dynamodb.amazonaws.com, false",
        "MODIFY, Service, dynamodb.amazonaws.com, false"})
    void onlyARemoveByTheTimeToLiveServiceIsATtlDelete(String eventName, String type, String principal,
                                                       boolean ttlDelete) throws Exception {
        DynamodbEvent event = Fixtures.event("ttl-delete.json");
        DynamodbEvent.DynamodbStreamRecord r = event.getRecords().get(0);
        r.setUserIdentity(type == null ? null : new Identity().withType(type).withPrincipalId(principal));
        r.setEventName(eventName);
        if (!eventName.equals("REMOVE")) {
            r.getDynamodb().setNewImage(r.getDynamodb().getOldImage());
        }

        ChangeRecord<Order> change = Fixtures.changes(event, Schemas.BEAN).get(0);

        assertThat(change.ttlDelete()).isEqualTo(ttlDelete);
        assertThat(change.isUserDelete()).isEqualTo(eventName.equals("REMOVE") && !ttlDelete);
    }

    @Test
    void keysOnlyStreamServesKeysAndMetadata() throws Exception {
        List<ChangeRecord<Order>> changes = Fixtures.changes("view-keys-only.json", Schemas.BEAN);

        assertThat(changes).extracting(ChangeRecord::eventName).containsExactly(INSERT, MODIFY, REMOVE);
        assertThat(changes).allSatisfy(c -> {
            assertThat(c.keys()).isEqualTo(KEYS);
            assertThat(c.streamViewType()).isEqualTo(StreamViewType.KEYS_ONLY);
            assertThat(c.carriesNewImages()).isFalse();
            assertThat(c.carriesOldImages()).isFalse();
        });
    }

    @Test
    void keysOnlyStreamRefusesEveryImageWithTheFix() throws Exception {
        ChangeRecord<Order> insert = Fixtures.changes("view-keys-only.json", Schemas.BEAN).get(0);

        assertThatThrownBy(insert::newImage)
                .isInstanceOf(MissingImageException.class)
                .isInstanceOf(NonRetryableException.class)
                .hasMessage("Record 100000000000000000001 (eventID 7de3041dd709b024af6f29e4fa13d34c, INSERT, table "
                        + "Orders): this stream's StreamViewType is KEYS_ONLY, which carries no NewImage. Set the "
                        + "table's StreamSpecification.StreamViewType to NEW_AND_OLD_IMAGES or NEW_IMAGE; DynamoDB "
                        + "cannot change the view type of an existing stream, so disable the stream, enable it again "
                        + "with the new view type, and point the event source mapping at the new stream ARN. Or read "
                        + "only keys() in this processor.");
        // Even on an INSERT, which never has an old image: the rule depends on the stream, not the event.
        assertThatThrownBy(insert::oldImage).isInstanceOf(MissingImageException.class)
                .hasMessageContaining("StreamViewType is KEYS_ONLY, which carries no OldImage")
                .hasMessageContaining("NEW_AND_OLD_IMAGES or OLD_IMAGE;");
        assertThatThrownBy(insert::newImageAttributes).isInstanceOf(MissingImageException.class);
        assertThatThrownBy(insert::oldImageAttributes).isInstanceOf(MissingImageException.class);
        assertThatThrownBy(insert::changedAttributes).isInstanceOf(MissingImageException.class)
                .hasMessageContaining("changedAttributes() compares the old and new images, but this stream's "
                        + "StreamViewType is KEYS_ONLY");
        MissingImageException e = catchMissing(insert::newImage);
        assertThat(e.streamViewType()).isEqualTo(StreamViewType.KEYS_ONLY);
        assertThat(ExceptionClassifier.DEFAULT.isRetryable(e)).isFalse();
    }

    @Test
    void newImageStreamHasNewImagesOnly() throws Exception {
        List<ChangeRecord<Order>> changes = Fixtures.changes("view-new-image.json", Schemas.BEAN);

        assertThat(changes.get(0).newImage().orElseThrow().getStatus()).isEqualTo("PLACED");
        assertThat(changes.get(1).newImage().orElseThrow().getStatus()).isEqualTo("SHIPPED");
        assertThat(changes.get(2).newImage()).isEmpty();
        for (ChangeRecord<Order> c : changes) {
            assertThatThrownBy(c::oldImage).isInstanceOf(MissingImageException.class)
                    .hasMessageContaining("StreamViewType is NEW_IMAGE, which carries no OldImage");
            assertThatThrownBy(c::addedAttributes).isInstanceOf(MissingImageException.class)
                    .hasMessageContaining("addedAttributes() compares the old and new images, but this stream's "
                            + "StreamViewType is NEW_IMAGE");
        }
    }

    @Test
    void oldImageStreamHasOldImagesOnly() throws Exception {
        List<ChangeRecord<Order>> changes = Fixtures.changes("view-old-image.json", Schemas.BEAN);

        assertThat(changes.get(0).oldImage()).isEmpty();
        assertThat(changes.get(1).oldImage().orElseThrow().getStatus()).isEqualTo("PLACED");
        assertThat(changes.get(2).oldImage().orElseThrow().getStatus()).isEqualTo("SHIPPED");
        for (ChangeRecord<Order> c : changes) {
            assertThatThrownBy(c::newImage).isInstanceOf(MissingImageException.class)
                    .hasMessageContaining("StreamViewType is OLD_IMAGE, which carries no NewImage");
            assertThatThrownBy(c::removedAttributes).isInstanceOf(MissingImageException.class);
        }
    }

    @Test
    void imagesMapThroughImmutableStaticAndDocumentSchemas() throws Exception {
        ChangeRecord<ImmutableOrder> immutable =
                Fixtures.changes("view-new-and-old-images.json", Schemas.IMMUTABLE).get(1);
        assertThat(immutable.newImage().orElseThrow().status()).isEqualTo("SHIPPED");
        assertThat(immutable.oldImage().orElseThrow().total()).isEqualByComparingTo("19.99");

        ChangeRecord<Schemas.StaticOrder> statics =
                Fixtures.changes("view-new-and-old-images.json", Schemas.STATIC).get(1);
        assertThat(statics.newImage().orElseThrow().status).isEqualTo("SHIPPED");
        assertThat(statics.newImage().orElseThrow().orderId).isEqualTo(1L);
        assertThat(statics.oldImage().orElseThrow().total).isEqualTo(new BigDecimal("19.99"));

        ChangeRecord<EnhancedDocument> document =
                Fixtures.changes("view-new-and-old-images.json", Schemas.document("customerId")).get(1);
        EnhancedDocument after = document.newImage().orElseThrow();
        assertThat(after.getString("status")).isEqualTo("SHIPPED");
        assertThat(after.getNumber("total").bigDecimalValue()).isEqualTo(new BigDecimal("19.990"));
        assertThat(after.getStringSet("tags")).containsExactlyInAnyOrder("gift", "express");
    }

    @Test
    void constructorRejectsImagesAChangeCannotHave() {
        Optional<Map<String, AttributeValue>> image = Optional.of(KEYS);
        assertThatThrownBy(() -> new ChangeRecord<>(REMOVE, "e", "t", KEYS, Optional.empty(), Optional.empty(), image,
                Optional.empty(), StreamViewType.NEW_AND_OLD_IMAGES, false, null, "1", 1, "r"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REMOVE change cannot have a new image");
        assertThatThrownBy(() -> new ChangeRecord<>(INSERT, "e", "t", KEYS, Optional.empty(), Optional.empty(),
                Optional.empty(), image, StreamViewType.NEW_AND_OLD_IMAGES, false, null, "1", 1, "r"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INSERT change cannot have an old image");
    }

    @Test
    void toStringShowsNoKeysOrImages() throws Exception {
        ChangeRecord<Order> insert = Fixtures.changes("view-new-and-old-images.json", Schemas.BEAN).get(0);
        assertThat(insert.toString())
                .isEqualTo("ChangeRecord[INSERT, table Orders, eventID 7de3041dd709b024af6f29e4fa13d34c, "
                        + "sequence number 100000000000000000001, NEW_AND_OLD_IMAGES]")
                .doesNotContain("c-1", "PLACED");
    }

    private static MissingImageException catchMissing(Runnable r) {
        try {
            r.run();
        } catch (MissingImageException e) {
            return e;
        }
        throw new AssertionError("expected MissingImageException");
    }
}
