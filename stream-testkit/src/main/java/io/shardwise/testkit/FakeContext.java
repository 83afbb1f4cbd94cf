package io.shardwise.testkit;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A Lambda {@link Context} for tests whose remaining time counts down from a timeout, like the real one.
 *
 * <p>{@link #getRemainingTimeInMillis()} is {@code timeout - elapsed}, never below zero, measured on the given
 * {@link Clock} (inject a mutable clock to drive deadlines deterministically). Thread-safe.
 */
public final class FakeContext implements Context {
    private final String requestId;
    private final String functionName;
    private final int memoryMb;
    private final Clock clock;
    private final Instant deadline;

    private FakeContext(String requestId, String functionName, int memoryMb, Clock clock, Duration timeout) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.memoryMb = memoryMb;
        this.clock = clock;
        this.deadline = clock.instant().plus(timeout);
    }

    /** A context with a 60-second timeout on the system clock, function name {@code test-function}. */
    public static FakeContext create() {
        return withTimeout(Duration.ofSeconds(60));
    }

    /** A context whose remaining time counts down from {@code timeout} on the system clock. */
    public static FakeContext withTimeout(Duration timeout) {
        return of("test-function", Clock.systemUTC(), timeout);
    }

    /** A context whose remaining time counts down from {@code timeout} on {@code clock}. */
    public static FakeContext of(String functionName, Clock clock, Duration timeout) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timeout, "timeout");
        return new FakeContext(UUID.randomUUID().toString(), functionName, 512, clock, timeout);
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/" + requestId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = deadline.toEpochMilli() - clock.millis(); // no allocation: the engine asks once per record
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.print(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.print(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
