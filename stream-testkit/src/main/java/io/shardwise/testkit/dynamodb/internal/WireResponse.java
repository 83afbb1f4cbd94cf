package io.shardwise.testkit.dynamodb.internal;

import java.util.Map;

/**
 * What a binding sends back for one request: an HTTP response ({@code status}, headers, body), or a transport
 * failure the binding must produce instead ({@link Transport#CONNECTION_REFUSED}, {@link Transport#TIMEOUT}).
 */
public record WireResponse(int status, Map<String, String> headers, byte[] body, Transport transport) {

    /** How the response reaches the caller. */
    public enum Transport {
        /** Normally: status, headers and body. */
        RESPONSE,
        /** Not at all: the connection is refused. */
        CONNECTION_REFUSED,
        /** Not at all: the connection ends without a response (a read timeout for the caller). */
        TIMEOUT
    }

    static WireResponse failure(Transport transport) {
        return new WireResponse(0, Map.of(), new byte[0], transport);
    }
}
