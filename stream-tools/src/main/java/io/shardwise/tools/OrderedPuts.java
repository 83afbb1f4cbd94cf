package io.shardwise.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/**
 * Puts records onto one Kinesis stream, one {@code PutRecord} each, keeping the order of the puts per partition
 * key: each put carries the sequence number Kinesis gave the previous put of the same key
 * ({@code SequenceNumberForOrdering}), so a put the SDK retries cannot land before an earlier one of its key. Both
 * the parked-record replay and the failed-batch recovery put this way, and stop putting a key after a refused put
 * (the caller's part: this class only remembers the keys' last sequence numbers).
 *
 * <p>One instance per run (or per range, where the order only matters within it). Not thread-safe.
 */
public final class OrderedPuts {

    private final KinesisClient client;
    private final String stream;
    private final Map<String, String> lastSequenceNumber = new HashMap<>();

    /**
     * @param client    the target stream's client (the caller's; never closed here)
     * @param nameOrArn the target stream, by name or by ARN (starting with {@code arn:})
     */
    public OrderedPuts(KinesisClient client, String nameOrArn) {
        this.client = Objects.requireNonNull(client, "client");
        this.stream = Objects.requireNonNull(nameOrArn, "nameOrArn");
    }

    /**
     * Puts one record after every earlier put of its partition key.
     *
     * @param partitionKey    the record's partition key
     * @param explicitHashKey its explicit hash key, or null (Kinesis hashes the partition key)
     * @param data            its payload
     * @return Kinesis's answer: the shard and sequence number the record got
     * @throws SdkException if Kinesis did not take it (nothing is remembered for the key then)
     */
    public PutRecordResponse put(String partitionKey, String explicitHashKey, SdkBytes data) {
        PutRecordRequest.Builder request = PutRecordRequest.builder()
                .partitionKey(partitionKey)
                .explicitHashKey(explicitHashKey)
                .data(data)
                .sequenceNumberForOrdering(lastSequenceNumber.get(partitionKey));
        if (stream.startsWith("arn:")) {
            request.streamARN(stream);
        } else {
            request.streamName(stream);
        }
        PutRecordResponse response = client.putRecord(request.build());
        lastSequenceNumber.put(partitionKey, response.sequenceNumber());
        return response;
    }

    /** The target stream's name or ARN, as given. */
    public String stream() {
        return stream;
    }
}
