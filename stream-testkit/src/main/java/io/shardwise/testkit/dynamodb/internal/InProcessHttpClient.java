package io.shardwise.testkit.dynamodb.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Map;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An {@link SdkHttpClient} that hands each request to {@link WireProtocol} on the calling thread: no socket, no
 * thread, but the SDK's whole pipeline (marshalling, signing, error mapping, CRC32 check, retries) runs as it does
 * over a network. Transport faults become the {@link IOException}s a real HTTP client throws ({@link
 * ConnectException}, {@link SocketTimeoutException}), which the SDK retries.
 *
 * <p><b>Thread-safety:</b> thread-safe; closing it does nothing (the engine owns the protocol).
 */
public final class InProcessHttpClient implements SdkHttpClient {

    private final WireProtocol protocol;

    public InProcessHttpClient(WireProtocol protocol) {
        this.protocol = protocol;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                byte[] body;
                if (request.contentStreamProvider().isPresent()) {
                    try (InputStream in = request.contentStreamProvider().get().newStream()) {
                        body = in.readAllBytes();
                    }
                } else {
                    body = new byte[0];
                }
                String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse(null);
                WireResponse response = protocol.handle(target, body);
                switch (response.transport()) {
                    case CONNECTION_REFUSED:
                        throw new ConnectException("Connection refused (shardwise DynamoDB engine: endpoint down)");
                    case TIMEOUT:
                        throw new SocketTimeoutException("Read timed out (shardwise DynamoDB engine: response lost)");
                    default:
                        break;
                }
                SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(response.status());
                for (Map.Entry<String, String> h : response.headers().entrySet()) {
                    http.putHeader(h.getKey(), h.getValue());
                }
                http.putHeader("Content-Length", Integer.toString(response.body().length));
                return HttpExecuteResponse.builder()
                        .response(http.build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(response.body())))
                        .build();
            }

            @Override
            public void abort() {
                // Runs synchronously on the caller's thread: there is nothing in flight to abort.
            }
        };
    }

    @Override
    public String clientName() {
        return "ShardwiseInProcess";
    }

    @Override
    public void close() {}
}
