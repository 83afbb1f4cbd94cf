package io.shardwise.tools;

import picocli.CommandLine.Option;

/**
 * Where parked records are: an SQS queue or an S3 prefix (a picocli argument group: exactly one).
 */
public final class Source {

    @Option(names = "--from-sqs", paramLabel = "QUEUE_URL", required = true,
            description = "The SQS parking queue (SqsFailureSink's queue URL).")
    public String sqsQueueUrl;

    @Option(names = "--from-s3", paramLabel = "s3://BUCKET/PREFIX", required = true,
            converter = S3Location.Converter.class,
            description = "The S3 parking prefix (S3FailureSink's bucket and key prefix).")
    public S3Location s3;
}
