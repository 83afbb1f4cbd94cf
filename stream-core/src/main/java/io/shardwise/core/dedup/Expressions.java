package io.shardwise.core.dedup;

import io.shardwise.core.dedup.DedupStore.Status;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/**
 * The DynamoDB expressions of every state change, in one place: {@link DynamoDbDedupStore} sends them and
 * {@link InMemoryDedupStore} evaluates their Java equivalents. {@code DynamoDbDedupStoreRequestsTest} pins them
 * literally; change them only together with the {@link DedupStore} Javadoc.
 *
 * <p>Only {@code status} and {@code data} are DynamoDB reserved words
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html), hence {@code #status} and
 * {@code #data}; the other attribute names are used as they are.
 */
final class Expressions {

    private Expressions() {
    }

    static final String ID = "id";
    static final String STATUS = "status";
    static final String EXPIRATION = "expiration";
    static final String IN_PROGRESS_EXPIRATION = "in_progress_expiration";
    static final String DATA = "data";
    static final String VALIDATION = "validation";
    static final String ATTEMPTS = "attempts";
    static final String LEASE_TOKEN = "lease_token";
    static final String WATERMARK_SEQ = "watermark_seq";
    static final String WATERMARK_SUB_SEQ = "watermark_sub_seq";

    /** {@code #status} only. */
    static final Map<String, String> STATUS_NAME = Map.of("#status", STATUS);
    /** {@code #status} and {@code #data}. */
    static final Map<String, String> STATUS_AND_DATA_NAMES = Map.of("#status", STATUS, "#data", DATA);
    static final Map<String, String> DATA_NAME = Map.of("#data", DATA);

    /** Claim, and the marker put of a transactional commit: no live item, or failed, or its lease ended. */
    static final String CLAIM_CONDITION = "attribute_not_exists(id) OR expiration < :now_s OR #status = :failed"
            + " OR (#status = :inprogress AND in_progress_expiration < :now_ms)";
    static final String CLAIM_UPDATE = "SET #status = :inprogress, in_progress_expiration = :lease_until,"
            + " expiration = :expiration, lease_token = :token";
    static final String CLAIM_UPDATE_WITH_VALIDATION = CLAIM_UPDATE + ", validation = :validation";

    /** Complete, record a failure or park while holding a lease. */
    static final String LEASE_CONDITION = "#status = :inprogress AND lease_token = :token";
    static final String COMPLETE_UPDATE = "SET #status = :completed, expiration = :expiration"
            + " REMOVE lease_token, in_progress_expiration";

    /** Record a failure without a lease: anything but a live done item. */
    static final String FAILURE_CONDITION = "attribute_not_exists(id) OR expiration < :now_s"
            + " OR NOT (#status IN (:completed, :parked))";
    static final String FAILURE_UPDATE = "SET #status = :failed, expiration = :expiration ADD attempts :one"
            + " REMOVE lease_token, in_progress_expiration";

    /** Give up a held lease without counting an attempt (condition: {@link #LEASE_CONDITION}). */
    static final String RELEASE_UPDATE = "SET #status = :failed REMOVE lease_token, in_progress_expiration";

    /** After a claim took over an ended lease: count that attempt, which never finished. */
    static final String COUNT_UNFINISHED_CONDITION = "lease_token = :token";
    static final String COUNT_UNFINISHED_UPDATE = "ADD attempts :one";

    static final String PARK_UPDATE = "SET #status = :parked, expiration = :expiration"
            + " REMOVE lease_token, in_progress_expiration";

    /**
     * Second writes, only after a claim or failure replaced an item whose TTL had passed but that DynamoDB had not
     * deleted yet (it does so up to a few days late): they clear what the first write kept from the dead item, so
     * that an expired item really counts as absent.
     */
    static final String CLEAR_AFTER_CLAIM_CONDITION = "lease_token = :token";
    static final String CLEAR_AFTER_CLAIM_UPDATE = "REMOVE attempts, #data";
    static final String CLEAR_AFTER_CLAIM_UPDATE_AND_VALIDATION = "REMOVE attempts, validation, #data";
    static final String CLEAR_AFTER_FAILURE_CONDITION = "#status = :failed AND attempts = :written";
    // (SET attempts = :one also when :written is already 1: one expression for both cases.)
    static final String CLEAR_AFTER_FAILURE_UPDATE = "SET attempts = :one REMOVE validation, #data";

    /** Watermark moves: from absent (or expired), or from exactly the expected position. */
    static final String WATERMARK_ABSENT_CONDITION = "attribute_not_exists(id) OR expiration < :now_s";
    static final String WATERMARK_EQUALS_CONDITION =
            "watermark_seq = :expected_seq AND watermark_sub_seq = :expected_sub";

    static final String MARKER_PROJECTION =
            "id, #status, expiration, in_progress_expiration, attempts, validation, lease_token";
    static final String WATERMARK_PROJECTION = "id, expiration, watermark_seq, watermark_sub_seq";

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue status(Status status) {
        return AttributeValue.fromS(status.name());
    }
}
