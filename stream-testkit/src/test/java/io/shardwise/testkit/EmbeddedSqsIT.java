package io.shardwise.testkit;

import io.shardwise.testkit.junit.LocalStreamsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LocalEmulators#sqs()}: ElasticMQ on 127.0.0.1, one per JVM, and the extension's SQS parameters. */
@ExtendWith(LocalStreamsExtension.class)
class EmbeddedSqsIT {

    @Test
    void aQueueCreatedThroughTheHandleTakesAndGivesBackAMessage(EmbeddedSqs sqs, SqsClient client) {
        assertThat(sqs).isSameAs(LocalEmulators.sqs());
        assertThat(client).isSameAs(sqs.client());
        assertThat(sqs.endpoint().getHost()).isEqualTo("127.0.0.1");

        String url = sqs.createQueue("embedded-sqs-it");
        client.sendMessage(b -> b.queueUrl(url).messageBody("héllo …"));

        assertThat(client.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(5)).messages())
                .singleElement().satisfies(m -> assertThat(m.body()).isEqualTo("héllo …"));
        assertThat(sqs.createQueue("embedded-sqs-it")).as("same name, same queue").isEqualTo(url);
    }
}
