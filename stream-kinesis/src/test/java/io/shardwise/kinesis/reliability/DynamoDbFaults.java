package io.shardwise.kinesis.reliability;

import io.shardwise.kinesis.reliability.LambdaSimulation.Invocation;
import io.shardwise.kinesis.reliability.Scenario.Fault;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Injects DynamoDB faults in the SDK itself, per HTTP attempt, on the client {@code DynamoDbDedupStore} uses: the
 * store, its retries (the client's retry strategy) and its error handling see exactly what they would see from
 * DynamoDB. Only calls made for an invocation of the simulation are touched (the store wrapper sets
 * {@link LambdaSimulation#CURRENT}); table set-up and read-back pass through.
 *
 * <ul>
 *   <li>{@code STORE_FAILURE_BEFORE_WRITE}: {@code ProvisionedThroughputExceededException} for 1 to 3 consecutive
 *       attempts, before the request is sent (nothing written). With the client's 3 attempts, a burst of 3 fails
 *       the call; shorter ones are absorbed by the SDK's retries.</li>
 *   <li>{@code STORE_FAILURE_AFTER_WRITE}: the request reaches DynamoDB and is applied, then the client sees a 500
 *       {@code InternalServerError} or a read timeout instead of the response, for 1 to 3 attempts: the SDK
 *       retries a request that already took effect (conditional writes then fail their condition; transactions
 *       are idempotent through their {@code ClientRequestToken}).</li>
 *   <li>{@code STORE_CRASH_BEFORE_WRITE} / {@code STORE_CRASH_AFTER_WRITE}: the environment dies before the
 *       request is sent, or after DynamoDB applied it but before the response is read ({@link Crash}).</li>
 * </ul>
 *
 * The committed staged writes of {@code TransactWriteItems} are recorded in the ledger when DynamoDB answered 200
 * (once per call: an SDK retry of an applied transaction is the same transaction).
 */
final class DynamoDbFaults implements ExecutionInterceptor {

    private static final ExecutionAttribute<Plan> PLAN = new ExecutionAttribute<>("shardwise.reliability.plan");

    /** What happens to the attempts of one call. */
    private static final class Plan {
        final Invocation invocation;
        int throttledAttempts;
        int failedAfterApply;
        boolean timeoutAfterApply;
        boolean crashBefore;
        boolean crashAfter;
        boolean effectsLogged;

        Plan(Invocation invocation) {
            this.invocation = invocation;
        }
    }

    private final Supplier<LambdaSimulation> simulation;
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger injected = new AtomicInteger();

    DynamoDbFaults(Supplier<LambdaSimulation> simulation) {
        this.simulation = simulation;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Invocation inv = LambdaSimulation.CURRENT.get();
        LambdaSimulation sim = simulation.get();
        if (inv == null || sim == null) {
            return;
        }
        Plan plan = new Plan(inv);
        String where = operation(context.request()) + " (SDK) in invocation " + inv.id;
        Faults faults = sim.faults;
        if (faults.inject(Fault.STORE_CRASH_BEFORE_WRITE, where)) {
            plan.crashBefore = true;
        } else if (faults.inject(Fault.STORE_FAILURE_BEFORE_WRITE, where)) {
            plan.throttledAttempts = 1 + faults.nextInt(3);
        } else if (faults.inject(Fault.STORE_FAILURE_AFTER_WRITE, where)) {
            plan.failedAfterApply = 1 + faults.nextInt(3);
            plan.timeoutAfterApply = faults.nextBoolean();
        } else if (faults.inject(Fault.STORE_CRASH_AFTER_WRITE, where)) {
            plan.crashAfter = true;
        }
        attributes.putAttribute(PLAN, plan);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attempts.incrementAndGet();
        Plan plan = attributes.getAttribute(PLAN);
        if (plan == null) {
            return;
        }
        if (plan.crashBefore) {
            injected.incrementAndGet();
            plan.invocation.env.crash("before " + operation(context.request()) + " was sent to DynamoDB");
        }
        if (plan.throttledAttempts > 0) {
            plan.throttledAttempts--;
            injected.incrementAndGet();
            throw ProvisionedThroughputExceededException.builder()
                    .message("The level of configured provisioned throughput for the table was exceeded (injected)")
                    .statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                            .errorMessage("The level of configured provisioned throughput was exceeded (injected)")
                            .serviceName("DynamoDb").build())
                    .build();
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Plan plan = attributes.getAttribute(PLAN);
        if (plan == null) {
            return;
        }
        logEffects(context.request(), context.httpResponse(), plan);
        if (plan.crashAfter) {
            injected.incrementAndGet();
            plan.invocation.env.crash("after DynamoDB applied " + operation(context.request()));
        }
        if (plan.failedAfterApply > 0 && plan.timeoutAfterApply) {
            plan.failedAfterApply--;
            injected.incrementAndGet();
            throw SdkClientException.builder().message("Unable to execute HTTP request: Read timed out (injected, "
                    + "after DynamoDB applied the request)").cause(new SocketTimeoutException("Read timed out")).build();
        }
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        Plan plan = attributes.getAttribute(PLAN);
        if (plan == null || plan.failedAfterApply <= 0 || plan.timeoutAfterApply) {
            return context.httpResponse();
        }
        return context.httpResponse().toBuilder().statusCode(500).statusText("Internal Server Error")
                .removeHeader("x-amz-crc32").removeHeader("Content-Length")
                .putHeader("x-amzn-ErrorType", "InternalServerError").build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        Plan plan = attributes.getAttribute(PLAN);
        if (plan == null || plan.failedAfterApply <= 0 || plan.timeoutAfterApply) {
            return context.responseBody();
        }
        plan.failedAfterApply--;
        injected.incrementAndGet();
        return Optional.of(new ByteArrayInputStream(("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                + "InternalServerError\",\"message\":\"Internal server error (injected, after the request was "
                + "applied)\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private void logEffects(SdkRequest request, SdkHttpResponse response, Plan plan) {
        if (!(request instanceof TransactWriteItemsRequest tx) || response.statusCode() != 200 || plan.effectsLogged) {
            return;
        }
        plan.effectsLogged = true;
        LambdaSimulation sim = simulation.get();
        for (TransactWriteItem item : tx.transactItems()) {
            String id = LambdaSimulation.effectId(item);
            if (id != null && item.update().tableName().equals(sim.backendUserTable())) {
                sim.ledger.effect(id, plan.invocation.id);
            }
        }
    }

    private static String operation(SdkRequest request) {
        String name = request.getClass().getSimpleName();
        return name.endsWith("Request") ? name.substring(0, name.length() - "Request".length()) : name;
    }
}
