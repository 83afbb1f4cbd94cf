package io.shardwise.core.internal;

import com.amazonaws.services.lambda.runtime.Context;
import org.slf4j.MDC;

/**
 * Puts the invocation's AWS request id ({@value #REQUEST_ID}) and X-Ray trace id ({@value #TRACE_ID}) into the
 * SLF4J MDC while a batch is processed, so every log line the library (or the processor) writes on that thread
 * names its invocation, whatever the SLF4J provider; {@link #restore()} puts back what was there before.
 *
 * <p>The MDC is per thread: lines written on other threads (key-parallel lanes) carry no MDC unless copied there.
 * The trace id is the {@code Root=} part of the Java runtime's per-invocation trace header (system property
 * {@value #TRACE_HEADER_PROPERTY}, which the runtime sets for each invocation) or, failing that, of the
 * {@code _X_AMZN_TRACE_ID} environment variable; absent when tracing is off.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/java-logging.html">Lambda Java logging</a>
 */
public final class LambdaMdc {

    /** The MDC key of the request id: the name Lambda's own Java logging libraries use. */
    public static final String REQUEST_ID = "AWSRequestId";
    /** The MDC key of the X-Ray trace id (the {@code Root=} value). */
    public static final String TRACE_ID = "xrayTraceId";
    static final String TRACE_HEADER_PROPERTY = "com.amazonaws.xray.traceHeader";
    static final String TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID";

    private final String previousRequestId;
    private final String previousTraceId;

    private LambdaMdc(String previousRequestId, String previousTraceId) {
        this.previousRequestId = previousRequestId;
        this.previousTraceId = previousTraceId;
    }

    /** Sets both keys from {@code context} (may be null: nothing is set) and the trace header of this invocation. */
    public static LambdaMdc set(Context context) {
        String header = System.getProperty(TRACE_HEADER_PROPERTY);
        return set(context, header != null ? header : System.getenv(TRACE_HEADER_ENV));
    }

    /** As {@link #set(Context)}, with the trace header given (tests). */
    static LambdaMdc set(Context context, String traceHeader) {
        LambdaMdc previous = new LambdaMdc(MDC.get(REQUEST_ID), MDC.get(TRACE_ID));
        String requestId = context == null ? null : context.getAwsRequestId();
        if (requestId != null) {
            MDC.put(REQUEST_ID, requestId);
        }
        String traceId = traceRoot(traceHeader);
        if (traceId != null) {
            MDC.put(TRACE_ID, traceId);
        }
        return previous;
    }

    /** The request id in the MDC of this thread, or null. */
    public static String requestId() {
        return MDC.get(REQUEST_ID);
    }

    /** The trace id in the MDC of this thread, or null. */
    public static String traceId() {
        return MDC.get(TRACE_ID);
    }

    /** Puts back the values the keys had before {@link #set}. */
    public void restore() {
        put(REQUEST_ID, previousRequestId);
        put(TRACE_ID, previousTraceId);
    }

    /** {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=...;Sampled=1} → {@code 1-5759e988-...}. */
    static String traceRoot(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith("Root=") && p.length() > "Root=".length()) {
                return p.substring("Root=".length());
            }
        }
        return null;
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
