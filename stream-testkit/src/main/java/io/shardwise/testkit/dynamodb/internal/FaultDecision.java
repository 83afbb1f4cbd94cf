package io.shardwise.testkit.dynamodb.internal;

import io.shardwise.testkit.dynamodb.FaultRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the fault rules decided for one request: the total injected latency, and at most one failing rule (the
 * first registered one that fired), or none.
 */
public record FaultDecision(Duration latency, FaultRule failure) {

    public static final FaultDecision NONE = new FaultDecision(Duration.ZERO, null);

    /** One item a request touches: its table and its key attributes (or the whole item when the table is unknown). */
    public record Target(String table, Map<String, AttributeValue> key) {}

    /** Decides for one request; implemented by {@link io.shardwise.testkit.dynamodb.Faults}. */
    public interface Policy {
        FaultDecision decide(String operation, List<Target> targets);
    }
}
