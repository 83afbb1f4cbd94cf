package io.shardwise.testkit.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records what a Kinesis handler received and checks order (KCL's RecordValidatorQueue idea): per shard, records
 * arrive in increasing sequence-number order, and so do they per partition key. For handlers that never fail.
 */
final class OrderValidator {

    private final Map<String, List<BigInteger>> perShard = new ConcurrentHashMap<>();
    private final Map<String, List<BigInteger>> perKey = new ConcurrentHashMap<>();

    void accept(KinesisEvent event) {
        for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
            String shard = r.getEventID().substring(0, r.getEventID().indexOf(':'));
            BigInteger seq = new BigInteger(r.getKinesis().getSequenceNumber());
            synchronized (this) {
                perShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(seq);
                perKey.computeIfAbsent(r.getKinesis().getPartitionKey(), k -> new ArrayList<>()).add(seq);
            }
        }
    }

    synchronized void assertOrdered() {
        perShard.forEach((shard, seqs) -> assertThat(seqs).as("records of %s", shard).isSorted().doesNotHaveDuplicates());
        perKey.forEach((key, seqs) -> assertThat(seqs).as("records of key %s", key).isSorted().doesNotHaveDuplicates());
    }
}
