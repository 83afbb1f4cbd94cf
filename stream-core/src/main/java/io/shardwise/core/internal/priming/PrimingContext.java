package io.shardwise.core.internal.priming;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;

/**
 * The Lambda context the synthetic priming batch runs with: its request id, {@value #REQUEST_ID}, is what the
 * library's log lines of that batch carry in the MDC, so they are told apart from real invocations; a minute of
 * remaining time, so the deadline check never stops the batch. Immutable.
 */
public final class PrimingContext implements Context {

    /** The request id of every priming batch. */
    public static final String REQUEST_ID = "shardwise-priming";

    private static final LambdaLogger LOGGER = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.out.print(message);
        }

        @Override
        public void log(byte[] message) {
            System.out.print(new String(message, StandardCharsets.UTF_8));
        }
    };

    @Override public String getAwsRequestId() { return REQUEST_ID; }
    @Override public String getLogGroupName() { return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME"); }
    @Override public String getLogStreamName() { return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME"); }
    @Override public String getFunctionName() { return System.getenv("AWS_LAMBDA_FUNCTION_NAME"); }
    @Override public String getFunctionVersion() { return System.getenv("AWS_LAMBDA_FUNCTION_VERSION"); }
    @Override public String getInvokedFunctionArn() { return null; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return 60_000; }
    @Override public int getMemoryLimitInMB() { return 0; }
    @Override public LambdaLogger getLogger() { return LOGGER; }
}
