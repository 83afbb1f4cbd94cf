package io.shardwise.testkit.esm;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Where an event source mapping keeps, per shard, the sequence number of the last record it is done with (or
 * {@link #SHARD_END} once a closed shard is fully processed), so that a runner built with the same mapping
 * {@link EventSourceMapping#uuid() uuid} resumes after it instead of at its starting position.
 *
 * <p>Implementations must be thread-safe: shard threads save concurrently.
 */
public interface CheckpointStore {

    /** The value saved for a closed shard all of whose records are done; its children may start. */
    String SHARD_END = "SHARD_END";

    /**
     * The saved checkpoint of a shard.
     *
     * @param mappingUuid the mapping's {@link EventSourceMapping#uuid()}
     * @param shardId the shard
     * @return the last done sequence number, {@link #SHARD_END}, or empty if nothing was saved
     */
    Optional<String> get(String mappingUuid, String shardId);

    /**
     * Saves a checkpoint (a sequence number or {@link #SHARD_END}), replacing the previous one.
     *
     * @throws RuntimeException if it cannot be saved; the runner logs it and carries on (in-memory progress holds)
     */
    void put(String mappingUuid, String shardId, String checkpoint);

    /** A store in this JVM's memory: a new runner with the same mapping object resumes, a new JVM does not. */
    static CheckpointStore inMemory() {
        ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
        return new CheckpointStore() {
            @Override
            public Optional<String> get(String mappingUuid, String shardId) {
                return Optional.ofNullable(map.get(mappingUuid + "/" + shardId));
            }

            @Override
            public void put(String mappingUuid, String shardId, String checkpoint) {
                map.put(mappingUuid + "/" + shardId, checkpoint);
            }

            @Override
            public String toString() {
                return "CheckpointStore.inMemory" + map;
            }
        };
    }

    /**
     * A store in a DynamoDB table whose partition key is the string attribute {@code leaseKey}, so a runner
     * started in another JVM resumes; see {@link DynamoDbCheckpointStore#createTable(DynamoDbClient, String)}.
     * The caller owns and closes the client.
     */
    static CheckpointStore dynamoDb(DynamoDbClient client, String tableName) {
        return new DynamoDbCheckpointStore(client, tableName);
    }
}
