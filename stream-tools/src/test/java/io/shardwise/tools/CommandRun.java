package io.shardwise.tools;

import io.shardwise.core.sink.SinkEmulators;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Runs stream-tools commands in tests, as {@code CommandLine.execute} with captured output. */
public final class CommandRun {

    private CommandRun() {
    }

    /**
     * What a run printed and returned.
     *
     * @param code its exit code
     * @param out  standard output
     * @param err  standard error
     */
    public record Result(int code, String out, String err) {
        /** The summary: the last line of standard output. */
        public String lastLine() {
            String[] lines = out.strip().split("\\R");
            return lines[lines.length - 1];
        }
    }

    /**
     * Runs {@code args} with real clients from the options, against the emulators: the SQS and Kinesis endpoints
     * are added (add {@code --s3-endpoint} yourself when the command needs S3).
     */
    public static Result onEmulators(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--region", "us-east-1", "--sqs-endpoint", SinkEmulators.sqs().toString(),
                "--kinesis-endpoint", LocalEmulators.kinesis().endpoint().toString()));
        return run(new StreamTools(), all.toArray(String[]::new));
    }

    /** Runs {@code args} with the given clients. */
    public static Result with(Clients clients, String... args) {
        return run(new StreamTools(options -> clients), args);
    }

    private static Result run(StreamTools tools, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // The SDK's default credentials chain reads these; the emulators accept any.
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        try {
            int code = StreamTools.commandLine(tools).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    /**
     * The test's own clients, none closed by the command; asking for one that is null fails the test.
     *
     * @param kinesis         Kinesis, or null
     * @param sqs             SQS, or null
     * @param s3              S3, or null
     * @param dynamoDb        DynamoDB, or null
     * @param dynamoDbStreams DynamoDB Streams, or null
     */
    public record Fixed(KinesisClient kinesis, SqsClient sqs, S3Client s3, DynamoDbClient dynamoDb,
                        DynamoDbStreamsClient dynamoDbStreams) implements Clients {
        @Override
        public void close() {
        }
    }

    /** Messages visible in {@code queue}. */
    public static int visibleMessages(SqsClient sqs, String queue) {
        return count(sqs, queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    /** Messages received and not yet deleted or visible again. */
    public static int inFlightMessages(SqsClient sqs, String queue) {
        return count(sqs, queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
    }

    private static int count(SqsClient sqs, String queue, QueueAttributeName attribute) {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(attribute))
                .attributes().get(attribute));
    }

    /** A client for kinesis-mock whose PutRecord fails, as a dropped network would, after {@code allowed} puts. */
    public static KinesisClient kinesisStoppingAfter(AtomicInteger allowed) {
        return KinesisClient.builder().endpointOverride(LocalEmulators.kinesis().endpoint())
                .region(LocalAwsClients.REGION).credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        if (context.request() instanceof PutRecordRequest && allowed.getAndDecrement() <= 0) {
                            throw SdkClientException.create("the network went away (test)");
                        }
                    }
                }))
                .build();
    }
}
