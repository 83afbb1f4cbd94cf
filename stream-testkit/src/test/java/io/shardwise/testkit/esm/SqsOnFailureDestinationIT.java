package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.testkit.LocalAwsClients;
import java.net.URI;
import java.util.List;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** On-failure metadata sent to an SQS queue (ElasticMQ in this JVM), as Lambda sends it. */
class SqsOnFailureDestinationIT {

    private static SQSRestServer server;
    private static SqsClient sqs;

    @BeforeAll
    static void startSqs() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        int port = server.waitUntilStarted().localAddress().getPort();
        sqs =
                SqsClient.builder()
                        .endpointOverride(URI.create("http://127.0.0.1:" + port))
                        .region(LocalAwsClients.REGION)
                        .credentialsProvider(LocalAwsClients.credentials())
                        .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                        .build();
    }

    @AfterAll
    static void stopSqs() {
        if (sqs != null) {
            sqs.close();
        }
        if (server != null) {
            server.stopAndWait();
        }
    }

    @Test
    void exhaustedRetriesSendTheMetadataMessageToTheQueue() throws Exception {
        String queueUrl = sqs.createQueue(b -> b.queueName("on-failure")).queueUrl();
        InMemoryStream stream = InMemoryStream.kinesis("to-sqs", 1);
        stream.put("a", "1");
        stream.put("b", "2");
        EventSourceMapping mapping =
                EventSourceMapping.builder()
                        .maximumRetryAttempts(0)
                        .onFailure(SqsOnFailureDestination.of(sqs, queueUrl))
                        .build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    throw new IllegalStateException("down");
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            List<Message> messages =
                    sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(5)).messages();
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).body()).isEqualTo(runner.onFailureRecords().get(0).json());
            JsonNode body = new ObjectMapper().readTree(messages.get(0).body());
            assertThat(body.at("/requestContext/condition").asText()).isEqualTo("RetryAttemptsExhausted");
            assertThat(body.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(1);
            assertThat(body.at("/KinesisBatchInfo/startSequenceNumber").asText()).isEqualTo("1");
            assertThat(body.at("/KinesisBatchInfo/endSequenceNumber").asText()).isEqualTo("2");
            assertThat(body.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(2);
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("2");
        }
    }
}
