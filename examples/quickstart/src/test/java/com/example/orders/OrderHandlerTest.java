package com.example.orders;

import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.testkit.EmbeddedSqs;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.junit.LocalStreams;
import io.shardwise.testkit.junit.LocalStreamsExtension;
import io.shardwise.testkit.junit.TestStream;
import io.shardwise.testkit.junit.TestTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LocalStreamsExtension.class)
class OrderHandlerTest {

    @Test
    void totalsEachOrderOnceAndParksAMalformedRecord(LocalStreams streams, DynamoDbClient dynamoDb, EmbeddedSqs sqs) {
        TestStream stream = streams.createStream(1);
        TestTable totals = streams.createTable("customerId");
        TestTable dedup = streams.createTable("id");
        String parkingQueue = sqs.createQueue(LocalStreams.uniqueName("parking"));
        OrderHandler handler = new OrderHandler(dynamoDb,
                SqsFailureSink.builder().client(sqs.client()).queueUrl(parkingQueue).build(),
                totals.name(), dedup.name());
        EventSourceMappingRunner runner = streams.runKinesis(stream,
                EventSourceMapping.builder().reportBatchItemFailures(true).build(), handler);

        stream.put("c-1", "{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"amount\":5}");
        stream.put("c-1", "not json");
        stream.put("c-1", "{\"orderId\":\"o-2\",\"customerId\":\"c-1\",\"amount\":7.5}");
        runner.awaitDrained(Duration.ofSeconds(30));

        Map<String, AttributeValue> total = dynamoDb.getItem(r -> r.tableName(totals.name())
                .key(Map.of("customerId", AttributeValue.fromS("c-1")))).item();
        assertThat(total.get("total").n()).isEqualTo("12.5");
        assertThat(total.get("orders").n()).isEqualTo("2");
        List<Message> parked = sqs.client().receiveMessage(r -> r.queueUrl(parkingQueue)
                .maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
        assertThat(parked).singleElement().satisfies(m -> assertThat(m.body()).contains("Malformed JSON"));
    }
}
