package io.shardwise.core.internal.priming;

import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SDK HTTP client that never opens a connection: every request is answered in the JVM with 200 and an empty
 * object in the request's own protocol (JSON {@code {}}, CBOR {@code A0}, or no body). What priming runs the SDK's
 * marshalling, signing, endpoint resolution and unmarshalling through, so that none of it reaches a real service.
 * Thread-safe.
 */
final class InJvmHttpClient implements SdkHttpClient {
    private static final byte[] JSON_EMPTY_OBJECT = {'{', '}'};
    private static final byte[] CBOR_EMPTY_MAP = {(byte) 0xA0};

    private final AtomicInteger requests = new AtomicInteger();

    /** Requests answered so far. */
    int requests() {
        return requests.get();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                requests.incrementAndGet();
                if (request.contentStreamProvider().isPresent()) {
                    // Reading the body runs what a real client would (checksums, streaming marshallers).
                    try (InputStream in = request.contentStreamProvider().get().newStream()) {
                        in.transferTo(OutputStream.nullOutputStream());
                    }
                }
                String contentType = request.httpRequest().firstMatchingHeader("Content-Type").orElse("");
                byte[] body = contentType.contains("cbor") ? CBOR_EMPTY_MAP
                        : contentType.contains("json") ? JSON_EMPTY_OBJECT : new byte[0];
                SdkHttpResponse response = SdkHttpResponse.builder()
                        .statusCode(200)
                        .putHeader("Content-Type", contentType.isEmpty() ? "application/xml" : contentType)
                        .putHeader("Content-Length", Integer.toString(body.length))
                        .putHeader("x-amzn-RequestId", PrimingContext.REQUEST_ID)
                        .putHeader("ETag", "\"priming\"")
                        .build();
                return HttpExecuteResponse.builder()
                        .response(response)
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                        .build();
            }

            @Override
            public void abort() {
                // Nothing in flight: every answer is immediate.
            }
        };
    }

    @Override
    public String clientName() {
        return "shardwise-priming";
    }

    @Override
    public void close() {
        // No connections, nothing to release.
    }
}
