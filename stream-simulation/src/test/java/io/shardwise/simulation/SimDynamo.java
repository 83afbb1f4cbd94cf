package io.shardwise.simulation;

import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.FaultKind;
import io.shardwise.testkit.dynamodb.FaultRule;
import io.shardwise.testkit.dynamodb.RequestHook;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The embedded DynamoDB engine, reached through its in-process SDK binding, with the simulation wired in: every
 * request is a scheduling point ({@link RequestHook#beforeRequest}), may get a fault drawn from the schedule's
 * seed (registered as a one-shot rule just before the engine looks at it, so it fires on exactly that request),
 * and costs virtual time. The SDK client keeps its real retry strategy (the standard one, attempts and retry
 * conditions untouched) with its backoff pauses taken as zero real time; an SDK {@code apiCallTimeout} is kept off
 * the SDK's real-time timer and enforced on the virtual clock instead (before each attempt), so a call cut short
 * by the invocation's time left is decided by the schedule alone.
 */
final class SimDynamo {

    private static final ExecutionAttribute<Long> CALL_START = new ExecutionAttribute<>("sim.callStart");
    private static final ExecutionAttribute<Duration> CALL_BUDGET = new ExecutionAttribute<>("sim.callBudget");
    /** The placeholder GUARDED mode's write names its guard attribute with (GuardedWriter.NAME). */
    static final String GUARD_NAME = "#_swg";

    private final Baton baton;
    private final SimRandom random;
    private final Trace trace;
    private final FaultPlan plan;
    private final DynamoDbEngine engine;
    private final java.util.function.Consumer<String> callFailed;
    private volatile boolean faultsOn;
    private volatile boolean unhooked;
    /** What the request in flight is for (set by the interceptor before the engine sees it; baton holder only). */
    private final java.util.Map<Thread, String> purposes = new java.util.concurrent.ConcurrentHashMap<>();
    private java.util.function.BiPredicate<String, FaultPlan.DynamoFault> allowed = (p, f) -> true;
    private java.util.function.Consumer<String> tokenWritten = t -> {};
    /** The dedup item id of the last claim each thread sent: the item a "lease held" answer is about. */
    private final java.util.Map<Thread, String> lastClaimed = new java.util.concurrent.ConcurrentHashMap<>();
    private java.util.function.Consumer<String> applied = p -> {};
    private FaultRule pending;
    private String pendingLabel;

    SimDynamo(Baton baton, SimRandom random, Trace trace, FaultPlan plan, long seed,
              java.util.function.Consumer<String> callFailed) {
        this.callFailed = callFailed;
        this.baton = baton;
        this.random = random;
        this.trace = trace;
        this.plan = plan;
        this.engine = DynamoDbEngine.builder()
                .clock(baton.clock().skewed(0))
                .seed(seed)
                .sleeper(d -> baton.clock().advance(d.toMillis()))
                .requestHook(new Hook())
                .build();
    }

    DynamoDbEngine engine() {
        return engine;
    }

    void faults(boolean on) {
        this.faultsOn = on;
    }

    /**
     * Which faults may hit a request of a purpose (e.g. "claim"): a known defect's exact combination is left out
     * of the default run this way ({@link KnownDefects}).
     */
    void allow(java.util.function.BiPredicate<String, FaultPlan.DynamoFault> allowed) {
        this.allowed = allowed;
    }

    /**
     * What a request is for, from its update expression (a dedup-store request) or the guard's placeholder (GUARDED
     * mode's write to the user's table: "guardedWrite"): the trace names it, exclusions use it.
     */
    static String purposeOf(software.amazon.awssdk.core.SdkRequest request) {
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u
                && u.hasExpressionAttributeNames() && u.expressionAttributeNames().containsKey(GUARD_NAME)) {
            return "guardedWrite";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.PutItemRequest p
                && p.hasExpressionAttributeNames() && p.expressionAttributeNames().containsKey(GUARD_NAME)) {
            return "guardedWrite";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u) {
            String e = u.updateExpression() == null ? "" : u.updateExpression();
            if (e.startsWith("SET #status = :inprogress")) {
                return "claim";
            } else if (e.startsWith("SET attempts = :counted")) {
                return "countUnfinished";
            } else if (e.startsWith("SET #status = :completed")) {
                return "complete";
            } else if (e.startsWith("SET #status = :failed, write_token")) {
                return "release";
            } else if (e.startsWith("SET #status = :failed")) {
                return "recordFailure";
            } else if (e.startsWith("SET #status = :parked")) {
                return "markParked";
            } else if (e.startsWith("REMOVE attempts")) {
                return "clearAfterClaim";
            } else if (e.startsWith("SET attempts = :one")) {
                return "clearAfterFailure";
            } else if (e.contains("watermark_seq")) {
                return "advanceWatermark";
            }
            return "update";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest) {
            return "commit";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest) {
            return "read";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.GetItemRequest) {
            return "get";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest) {
            return "releaseParked";
        }
        if (request instanceof software.amazon.awssdk.services.dynamodb.model.PutItemRequest) {
            return "put";
        }
        return "other";
    }

    /**
     * Called with the purpose of each request the engine applied (a failed condition is not applied), on the thread
     * that sent it, after the engine applied it and before its response goes back: where a runtime can die
     * between an effect and its acknowledgement.
     */
    void onApplied(java.util.function.Consumer<String> listener) {
        this.applied = listener;
    }

    /** Called with each lease token a request writes (":token"), on the thread that sends it. */
    void onToken(java.util.function.Consumer<String> listener) {
        this.tokenWritten = listener;
    }

    /** The dedup item id of the last claim sent on the calling thread, or null. */
    String lastClaimedId() {
        return lastClaimedId(Thread.currentThread());
    }

    /** The dedup item id of the last claim sent on {@code thread}, or null. */
    String lastClaimedId(Thread thread) {
        return lastClaimed.get(thread);
    }

    /** Runs a check's reads on the engine without a scheduling point or a fault, from any thread. */
    <T> T quietly(java.util.function.Supplier<T> read) {
        boolean was = unhooked;
        unhooked = true;
        try {
            return read.get();
        } finally {
            unhooked = was;
        }
    }

    /** A client with the SDK's standard retries (no real-time pauses) and the virtual call timeout. */
    DynamoDbClient client() {
        StandardRetryStrategy retries = StandardRetryStrategy.builder()
                .backoffStrategy(BackoffStrategy.retryImmediately())
                .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                .circuitBreakerEnabled(false)
                .build();
        return engine.clientBuilder()
                .overrideConfiguration(o -> o.retryStrategy(retries).addExecutionInterceptor(new VirtualTimeout()))
                .build();
    }

    private final class Hook implements RequestHook {
        @Override
        public void beforeRequest(String operation) {
            Baton.SimThread me = baton.current();
            if (me == null || unhooked) {
                return; // the driver: set-up and checks, never faulted
            }
            baton.point(random.between(1, 8));
            String purpose = purposes.getOrDefault(Thread.currentThread(), "?");
            String what = operation + "(" + purpose + ")";
            if (!faultsOn || !random.chance(plan.dynamoFaultRate())) {
                trace.add(me.name + " " + what);
                return;
            }
            List<FaultPlan.DynamoFault> kinds = plan.dynamoFaultKinds();
            if (kinds.isEmpty()) {
                trace.add(me.name + " " + what);
                return;
            }
            FaultPlan.DynamoFault f = kinds.get(random.below(kinds.size()));
            if (!allowed.test(purpose, f)) {
                trace.add(me.name + " " + what + "  (fault " + f + " left out: a known defect)");
                return;
            }
            FaultRule.Builder rule = FaultRule.builder(f.kind()).operations(operation).once();
            if (f.kind() == FaultKind.APPLIED_THEN_LOST) {
                rule.lostAs(f.lostAsTimeout() ? FaultRule.LostResponse.TIMEOUT : FaultRule.LostResponse.INTERNAL_ERROR);
            }
            if (f.kind() == FaultKind.LATENCY) {
                rule.latency(Duration.ofMillis(random.between(20, 1500)));
            }
            pending = engine.faults().add(rule.build());
            pendingLabel = f.label();
            trace.fault(me.name + " " + what, f.label());
        }

        @Override
        public void afterRequest(String operation, boolean applied) {
            Baton.SimThread me = baton.current();
            if (me == null || unhooked) {
                return;
            }
            if (pending != null) {
                engine.faults().remove(pending);
                pending = null;
                if (pendingLabel.contains("TIMEOUT")) {
                    // a socket timeout takes the SDK's read timeout to show
                    baton.clock().advance(random.between(200, 2000));
                }
                pendingLabel = null;
            }
            if (!applied) {
                trace.add("  (not applied)");
            } else {
                SimDynamo.this.applied.accept(purposes.getOrDefault(Thread.currentThread(), "?"));
            }
        }
    }

    /** The SDK's apiCallTimeout on the virtual clock: checked before each attempt, the SDK timer left unset. */
    private final class VirtualTimeout implements ExecutionInterceptor {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(CALL_START, baton.clock().now());
            if (baton.current() != null && !unhooked) {
                purposes.put(Thread.currentThread(), purposeOf(context.request()));
                if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u
                        && "claim".equals(purposeOf(u)) && u.key().get("id") != null) {
                    lastClaimed.put(Thread.currentThread(), u.key().get("id").s());
                }
            }
            if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u
                    && u.hasExpressionAttributeValues() && u.expressionAttributeValues().containsKey(":token")
                    && u.expressionAttributeValues().get(":token").s() != null) {
                tokenWritten.accept(u.expressionAttributeValues().get(":token").s());
            }
            if (context.request() instanceof AwsRequest r && r.overrideConfiguration().isPresent()) {
                r.overrideConfiguration().get().apiCallTimeout()
                        .ifPresent(d -> attributes.putAttribute(CALL_BUDGET, d));
            }
        }

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            if (context.request() instanceof AwsRequest r && r.overrideConfiguration().isPresent()
                    && r.overrideConfiguration().get().apiCallTimeout().isPresent()) {
                AwsRequestOverrideConfiguration stripped = r.overrideConfiguration().get().toBuilder()
                        .apiCallTimeout(null).build();
                return r.toBuilder().overrideConfiguration(stripped).build();
            }
            return context.request();
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            Duration budget = attributes.getAttribute(CALL_BUDGET);
            Long start = attributes.getAttribute(CALL_START);
            if (budget != null && start != null && baton.clock().now() - start >= budget.toMillis()) {
                trace.add("  sdk apiCallTimeout " + budget.toMillis() + " ms reached (virtual)");
                throw ApiCallTimeoutException.create(budget.toMillis());
            }
        }

        /**
         * A call that failed for good after the SDK's retries (not a condition that failed: that is an answer) is a
         * disruption of the invocation: the documented at-least-once bounds allow a record to run once more.
         */
        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            Throwable e = context.exception();
            boolean answer = e instanceof software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException
                    || (e instanceof software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException t
                    && t.cancellationReasons().stream().noneMatch(r -> r.code() != null
                    && !r.code().equals("None") && !r.code().equals("ConditionalCheckFailed")));
            if (!answer) {
                callFailed.accept("store call " + context.request().getClass().getSimpleName() + " failed: "
                        + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
