package io.shardwise.testkit.esm;

import java.util.Objects;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sends on-failure metadata to an SQS queue, as Lambda does: one message per discarded batch whose body is
 * {@link OnFailureRecord#json()}. Works against SQS, ElasticMQ or LocalStack; only the client changes.
 *
 * <p>Needs {@code software.amazon.awssdk:sqs} on the classpath (an optional dependency of stream-testkit).
 * Thread-safe when the client is (SDK clients are). The caller owns and closes the client.
 */
public final class SqsOnFailureDestination implements OnFailureDestination {

    private final SqsClient sqs;
    private final String queueUrl;

    private SqsOnFailureDestination(SqsClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    }

    /** A destination that sends to {@code queueUrl} with {@code sqs}. */
    public static SqsOnFailureDestination of(SqsClient sqs, String queueUrl) {
        return new SqsOnFailureDestination(sqs, queueUrl);
    }

    /**
     * Sends the record's JSON body.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException if SQS refuses it
     */
    @Override
    public void send(OnFailureRecord record) {
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(record.json()));
    }
}
