package io.shardwise.ddb.internal;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;

import java.time.Instant;
import java.util.Map;

/**
 * One DynamoDB change as read from either source (a Lambda DynamoDB Streams record or a Kinesis Data Streams
 * for DynamoDB JSON record), before validation and mapping. Attribute maps are still in the Lambda event model:
 * both sources go through the same transformer conversion in {@link ChangeMapper}.
 *
 * @param eventName         as delivered ({@code INSERT}/{@code MODIFY}/{@code REMOVE} when valid)
 * @param streamViewType    as delivered (null for Kinesis, which always carries both images)
 * @param creationTime      the approximate creation time, already in the source's unit, or null
 * @param sizeBytes         null if absent
 * @param identityType      {@code userIdentity.type}, or null
 * @param identityPrincipal {@code userIdentity.principalId}, or null
 */
public record RawChange(
        String eventName,
        String eventId,
        String tableName,
        String awsRegion,
        Map<String, AttributeValue> keys,
        Map<String, AttributeValue> newImage,
        Map<String, AttributeValue> oldImage,
        String streamViewType,
        Instant creationTime,
        String sequenceNumber,
        Long sizeBytes,
        String identityType,
        String identityPrincipal) {
}
