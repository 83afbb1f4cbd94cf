package io.shardwise.tools.recover;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;

import software.amazon.awssdk.services.kinesis.model.Record;

/** One record read back from a stream for a range Lambda gave up on. */
sealed interface RecoveredRecord {

    /** The record's sequence number. */
    String sequenceNumber();

    default BigInteger sequence() {
        return new BigInteger(sequenceNumber());
    }

    /** The record as one record of Lambda's event ({@code Records[i]}). */
    ObjectNode lambdaJson(OnFailureMessage from);

    /** A Kinesis record, as GetRecords returns it. */
    record Kinesis(Record record) implements RecoveredRecord {
        @Override
        public String sequenceNumber() {
            return record.sequenceNumber();
        }

        @Override
        public ObjectNode lambdaJson(OnFailureMessage from) {
            return LambdaRecordJson.kinesis(record, from);
        }
    }

    /** A DynamoDB Streams record, as GetRecords returns it. */
    record DynamoDb(software.amazon.awssdk.services.dynamodb.model.Record record) implements RecoveredRecord {
        @Override
        public String sequenceNumber() {
            return record.dynamodb().sequenceNumber();
        }

        @Override
        public ObjectNode lambdaJson(OnFailureMessage from) {
            return LambdaRecordJson.dynamoDb(record, from);
        }
    }
}
