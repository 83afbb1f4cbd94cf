package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.ddb.internal.LambdaRecords;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

import java.util.ArrayList;
import java.util.List;

/** Golden events, loaded as the Java runtime deserializes them, and decoded exactly as the handler does. */
final class Fixtures {
    private Fixtures() {
    }

    static DynamodbEvent event(String name) {
        return EventLoader.loadDynamoDbEvent("events/ddb/" + name);
    }

    static List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> streamRecords(String name) {
        return LambdaRecords.toStreamRecords(event(name));
    }

    static <T> List<ChangeRecord<T>> changes(String name, TableSchema<T> schema) throws Exception {
        return changes(event(name), schema);
    }

    static <T> List<ChangeRecord<T>> changes(DynamodbEvent event, TableSchema<T> schema) throws Exception {
        RecordDecoder<DynamodbEvent.DynamodbStreamRecord, ChangeRecord<T>> decoder =
                DynamoDbStreamHandler.decoder(schema);
        List<ChangeRecord<T>> out = new ArrayList<>();
        for (StreamRecord<DynamodbEvent.DynamodbStreamRecord> r : LambdaRecords.toStreamRecords(event)) {
            out.add(decoder.decode(r));
        }
        return out;
    }
}
