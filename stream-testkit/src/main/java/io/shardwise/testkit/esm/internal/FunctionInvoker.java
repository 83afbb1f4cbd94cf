package io.shardwise.testkit.esm.internal;

import com.amazonaws.services.lambda.runtime.Context;
import io.shardwise.testkit.esm.SourceRecord;
import java.util.List;
import java.util.Map;

/**
 * Builds the event for a batch, deserializes it as the Lambda runtime does, calls the user's handler on the
 * calling thread and reduces its response to what the event source mapping reads from it.
 */
@FunctionalInterface
public interface FunctionInvoker {

    /**
     * @param window the tumbling-window fields, or null for a plain mapping
     * @throws Exception whatever the handler throws
     */
    Response invoke(
            List<SourceRecord> records,
            LambdaEventJson.Origin origin,
            LambdaEventJson.WindowFields window,
            Context context)
            throws Exception;

    /**
     * What the mapping reads from a response.
     *
     * @param itemIdentifiers the {@code batchItemFailures[].itemIdentifier}s (entries may be null); null when the
     *     response or its list was null
     * @param state the tumbling-window state; null when absent (or not a window response)
     */
    record Response(List<String> itemIdentifiers, Map<String, String> state) {}
}
