package io.shardwise.ddb;

import io.shardwise.core.NonRetryableException;
import io.shardwise.ddb.internal.AttributeValues;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Tells whether a change is older than what was already applied for its item, for sources that can deliver an
 * item's changes out of order or twice: Kinesis Data Streams for DynamoDB (see
 * {@link KinesisChangeRecordDecoder}). DynamoDB Streams itself delivers each item's changes in order, once per
 * successful batch, and does not need it.
 *
 * <p>Each change gets a <em>version</em>, a number that grows with every change of the item:
 * <ul>
 *   <li>{@link #byVersionAttribute(String)}: a numeric attribute the writers increment on every write (e.g. the
 *       enhanced client's {@code @DynamoDbVersionAttribute}), read from the new image, or from the old image for a
 *       {@code REMOVE}. A {@code REMOVE} of version {@code v} is newer than the write that produced {@code v}.
 *       Versions must keep growing when an item is deleted and created again; an item re-created at version 1
 *       looks older than its own tombstone.</li>
 *   <li>{@link #byCreationTime()}: {@link ChangeRecord#approximateCreationTime()} in epoch microseconds. Needs no
 *       cooperation from writers, but two changes of one item within the same millisecond (or microsecond, per the
 *       destination's precision) cannot be ordered: such a change is <em>not</em> stale, it is applied.</li>
 * </ul>
 *
 * <p>Where the last applied version lives is the user's choice, kept in the same write as the effect so the two
 * cannot drift apart:
 * <ul>
 *   <li>in the target DynamoDB item itself: write with {@link #applyIfNewerCondition} as the condition and store
 *       {@link #versionOf} beside the data; a {@code ConditionalCheckFailedException} then means "stale, skip".
 *       For deletes, keep a tombstone item holding the version instead of deleting it, or a late older write
 *       will bring the item back;</li>
 *   <li>anywhere else: read the stored version and call {@link #isStale(ChangeRecord, BigDecimal)}, a pure
 *       function, keyed by {@link #itemKey}.</li>
 * </ul>
 * Exact duplicates (same DynamoDB {@code eventID}) are best dropped by the dedup store keyed on the {@code eventID};
 * by version attribute a duplicate write is stale too (a duplicate delete is not, and applying it again is
 * harmless).
 *
 * <p>Immutable and thread-safe.
 */
public final class StaleChangeFilter {

    private static final String NAME = "#shardwise_version";
    private static final String VALUE = ":shardwise_version";

    private final String versionAttribute;

    private StaleChangeFilter(String versionAttribute) {
        this.versionAttribute = versionAttribute;
    }

    /**
     * Versions from a numeric ({@code N}) attribute of the item's images.
     *
     * @throws IllegalArgumentException if the name is blank
     */
    public static StaleChangeFilter byVersionAttribute(String attributeName) {
        if (attributeName == null || attributeName.isBlank()) {
            throw new IllegalArgumentException("attributeName must name the item's numeric version attribute");
        }
        return new StaleChangeFilter(attributeName);
    }

    /** Versions from the change's approximate creation time, in epoch microseconds. */
    public static StaleChangeFilter byCreationTime() {
        return new StaleChangeFilter(null);
    }

    /**
     * The change's version.
     *
     * @throws NonRetryableException if the image lacks the version attribute, it is not a number, or (by creation
     *                               time) the change has no creation time; {@link MissingImageException} if the
     *                               stream does not carry the image the version is read from
     */
    public BigDecimal versionOf(ChangeRecord<?> change) {
        Objects.requireNonNull(change, "change");
        if (versionAttribute == null) {
            Instant t = change.approximateCreationTime();
            if (t == null) {
                throw new NonRetryableException("Change " + change.sequenceNumber() + " (eventID " + change.eventId()
                        + ") has no ApproximateCreationDateTime, so its age cannot be compared");
            }
            return BigDecimal.valueOf(t.getEpochSecond()).movePointRight(6).add(BigDecimal.valueOf(t.getNano() / 1000));
        }
        boolean remove = change.eventName() == ChangeRecord.EventName.REMOVE;
        Map<String, AttributeValue> image = (remove ? change.oldImageAttributes() : change.newImageAttributes())
                .orElse(Map.of());
        AttributeValue v = image.get(versionAttribute);
        if (v == null || v.n() == null) {
            throw new NonRetryableException("Change " + change.sequenceNumber() + " (eventID " + change.eventId() + ", "
                    + change.eventName() + "): its " + (remove ? "old" : "new") + " image has no numeric (N) attribute '"
                    + versionAttribute + "', so its version cannot be compared");
        }
        try {
            return new BigDecimal(v.n());
        } catch (NumberFormatException e) {
            throw new NonRetryableException("Change " + change.sequenceNumber() + ": version attribute '"
                    + versionAttribute + "' is not a number", e);
        }
    }

    /**
     * Whether {@code change} is older than the last applied version of its item. Pure function.
     *
     * @param lastApplied the version stored when the item's last change was applied, or {@code null} if none was
     * @return false when {@code lastApplied} is null; by version attribute, true when {@code lastApplied} is at
     *         least the change's version (at least, for a {@code REMOVE}: greater than); by creation time, true when
     *         {@code lastApplied} is greater than the change's time
     * @throws NonRetryableException as {@link #versionOf}
     */
    public boolean isStale(ChangeRecord<?> change, BigDecimal lastApplied) {
        BigDecimal version = versionOf(change);
        if (lastApplied == null) {
            return false;
        }
        int c = lastApplied.compareTo(version);
        return strict(change) ? c >= 0 : c > 0;
    }

    /**
     * A DynamoDB condition that holds when the item's stored version (attribute {@code storedVersionAttribute} of
     * the item being written) is absent or older than this change, i.e. when {@link #isStale} would say false.
     * Use it as the condition of the write that applies the change (enhanced client {@code conditionExpression},
     * or its {@code expression()}, {@code expressionNames()} and {@code expressionValues()} in a low-level
     * request), and write {@link #versionOf} into that attribute. Placeholders are {@code #shardwise_version} and
     * {@code :shardwise_version}; combine with your own with {@link Expression#and}.
     *
     * @throws NonRetryableException as {@link #versionOf}
     */
    public Expression applyIfNewerCondition(ChangeRecord<?> change, String storedVersionAttribute) {
        if (storedVersionAttribute == null || storedVersionAttribute.isBlank()) {
            throw new IllegalArgumentException("storedVersionAttribute must name the attribute holding the stored version");
        }
        BigDecimal version = versionOf(change);
        return Expression.builder()
                .expression("attribute_not_exists(" + NAME + ") OR " + NAME + (strict(change) ? " < " : " <= ") + VALUE)
                .putExpressionName(NAME, storedVersionAttribute)
                .putExpressionValue(VALUE, AttributeValue.fromN(version.toPlainString()))
                .build();
    }

    /**
     * A string naming the change's item, for keying a store of last applied versions: the item's primary key,
     * canonical (attributes sorted by name, type-tagged, numbers normalised), e.g.
     * {@code {"pk":{"S":"order#1"}}}. The same as the ordering key {@link DynamoDbStreamHandler} uses.
     */
    public static String itemKey(ChangeRecord<?> change) {
        return AttributeValues.canonicalKey(change.keys());
    }

    // A version-attribute upsert of version v repeats a change already applied at v; a delete of version v is newer
    // than the write that produced v. Times cannot tell equal changes apart, so an equal time is never stale.
    private boolean strict(ChangeRecord<?> change) {
        return versionAttribute != null && change.eventName() != ChangeRecord.EventName.REMOVE;
    }

    @Override
    public String toString() {
        return versionAttribute == null ? "StaleChangeFilter[byCreationTime]"
                : "StaleChangeFilter[byVersionAttribute " + versionAttribute + "]";
    }
}
