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
    /**
     * The token of the call that last wrote the item, fresh for every call (a claim's is its lease token). A
     * condition that fails because the SDK retried a request whose first attempt was applied but whose response
     * was lost finds this call's own token on the item (ALL_OLD), and the call reports what it did.
     */
    static final String WRITE_TOKEN = "write_token";
    /** Status and TTL before the last claim (or TTL before the last failure): what its lost response said. */
    static final String PREV_STATUS = "prev_status";
    static final String PREV_EXPIRATION = "prev_expiration";
    /** {@link #PREV_STATUS} of a claim that created the item. */
    static final String NO_STATUS = "NONE";

    /** {@code #status} only. */
    static final Map<String, String> STATUS_NAME = Map.of("#status", STATUS);
    /** {@code #status} and {@code #data}. */
    static final Map<String, String> STATUS_AND_DATA_NAMES = Map.of("#status", STATUS, "#data", DATA);
    static final Map<String, String> DATA_NAME = Map.of("#data", DATA);

    /** Claim, and the marker put of a transactional commit: no live item, or failed, or its lease ended. */
    static final String CLAIM_CONDITION = "attribute_not_exists(id) OR expiration < :now_s OR #status = :failed"
            + " OR (#status = :inprogress AND in_progress_expiration < :now_ms)";
    // Every action reads the item as it was before the update (DynamoDB's rule), so prev_* keep the old values.
    static final String CLAIM_UPDATE = "SET #status = :inprogress, in_progress_expiration = :lease_until,"
            + " expiration = :expiration, lease_token = :token, write_token = :token,"
            + " prev_status = if_not_exists(#status, :none), prev_expiration = if_not_exists(expiration, :zero)";
    static final String CLAIM_UPDATE_WITH_VALIDATION = CLAIM_UPDATE + ", validation = :validation";

    /** Complete, record a failure or park while holding a lease. */
    static final String LEASE_CONDITION = "#status = :inprogress AND lease_token = :token";
    static final String COMPLETE_UPDATE = "SET #status = :completed, expiration = :expiration, write_token = :call"
            + " REMOVE lease_token, in_progress_expiration";

    /**
     * Record a failure without a lease: anything but a live done item, and not this very call again (without the
     * last clause the SDK's retry of an applied call would hold the condition again and count the attempt twice).
     */
    static final String FAILURE_CONDITION = "(attribute_not_exists(id) OR expiration < :now_s"
            + " OR NOT (#status IN (:completed, :parked)))"
            + " AND (attribute_not_exists(write_token) OR write_token <> :call)";
    static final String FAILURE_UPDATE = "SET #status = :failed, expiration = :expiration, write_token = :call,"
            + " prev_expiration = if_not_exists(expiration, :zero) ADD attempts :one"
            + " REMOVE lease_token, in_progress_expiration";

    /** Give up a held lease without counting an attempt (condition: {@link #LEASE_CONDITION}). */
    static final String RELEASE_UPDATE = "SET #status = :failed, write_token = :call"
            + " REMOVE lease_token, in_progress_expiration";

    /**
     * After a claim took over an ended lease: count that attempt, which never finished. An absolute value (the
     * claim's old count plus one), not {@code ADD}, so that the SDK's retry of an applied call changes nothing.
     */
    static final String COUNT_UNFINISHED_CONDITION = "lease_token = :token";
    static final String COUNT_UNFINISHED_UPDATE = "SET attempts = :counted";

    static final String PARK_UPDATE = "SET #status = :parked, expiration = :expiration, write_token = :call"
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
