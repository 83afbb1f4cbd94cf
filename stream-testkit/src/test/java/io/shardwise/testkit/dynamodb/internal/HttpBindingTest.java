package io.shardwise.testkit.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.DynamoDbHttpServer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The HTTP binding's threads never keep a JVM alive. */
class HttpBindingTest {

    @Test
    void theServerStartedFromANonDaemonThreadRunsOnDaemonThreads() throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().build()) {
            AtomicReference<DynamoDbHttpServer> server = new AtomicReference<>();
            Thread caller = new Thread(() -> server.set(engine.serveHttp(0)));
            caller.setDaemon(false);
            caller.start();
            caller.join();
            try {
                List<Thread> dispatchers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("HTTP-Dispatcher"))
                        .toList();
                assertThat(dispatchers).isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
            } finally {
                server.get().close();
            }
        }
    }
}
