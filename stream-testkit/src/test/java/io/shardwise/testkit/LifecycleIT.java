package io.shardwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardwise.testkit.internal.KinesisMockProcess;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Start, share, close and restart of the per-JVM emulators. */
class LifecycleIT {

    @AfterAll
    static void leaveFreshInstancesBehind() {
        LocalEmulators.stopAll();
    }

    @Test
    void concurrentFirstCallsStartOneInstanceEach() throws Exception {
        LocalEmulators.stopAll();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Callable<Object[]>> calls = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                calls.add(
                        () -> {
                            go.await();
                            return new Object[] {LocalEmulators.dynamoDb(), LocalEmulators.kinesis()};
                        });
            }
            List<Future<Object[]>> futures = new ArrayList<>();
            for (Callable<Object[]> call : calls) {
                futures.add(pool.submit(call));
            }
            go.countDown();
            Set<Object> ddb = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Object> kinesis = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Future<Object[]> f : futures) {
                Object[] pair = f.get();
                ddb.add(pair[0]);
                kinesis.add(pair[1]);
            }
            assertThat(ddb).hasSize(1);
            assertThat(kinesis).hasSize(1);
            long kinesisMockChildren =
                    ProcessHandle.current()
                            .children()
                            .filter(p -> p.info().commandLine().orElse("").contains("kinesis-local"))
                            .count();
            assertThat(kinesisMockChildren).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closingKinesisMockKillsNodeAndTheNextCallStartsAFreshOne() {
        KinesisMock first = LocalEmulators.kinesis();
        first.client().createStream(b -> b.streamName("lifecycle").shardCount(1));
        ProcessHandle node = ProcessHandle.of(((KinesisMockProcess) first).pid()).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>(node.descendants().toList());
        tree.add(node);

        long started = System.nanoTime();
        first.close(); // while the client's keep-alive connection is still open
        long closeMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tree).allSatisfy(p -> assertThat(p.isAlive()).as("pid %s", p.pid()).isFalse());
        assertThat(closeMillis).as("close() does not wait for kinesis-mock's graceful shutdown").isLessThan(1_900);
        assertThat(first.isRunning()).isFalse();
        assertThatThrownBy(first::client).isInstanceOf(IllegalStateException.class);
        assertRefused(first.endpoint());
        first.close(); // idempotent

        KinesisMock second = LocalEmulators.kinesis();
        assertThat(second).isNotSameAs(first);
        assertThat(second.isRunning()).isTrue();
        assertThat(second.client().listStreams().streamNames()).doesNotContain("lifecycle");
    }

    @Test
    void closingDynamoDbLocalFreesItsPortAndTheNextCallStartsAFreshOne() {
        EmbeddedDynamoDb first = LocalEmulators.dynamoDb();
        first.client().listTables();

        first.close();

        assertThat(first.isRunning()).isFalse();
        assertThatThrownBy(first::client).isInstanceOf(IllegalStateException.class);
        assertRefused(first.endpoint());
        first.close(); // idempotent

        EmbeddedDynamoDb second = LocalEmulators.dynamoDb();
        assertThat(second).isNotSameAs(first);
        assertThat(second.client().listTables().tableNames()).isEmpty();
    }

    private static void assertRefused(URI endpoint) {
        assertThatThrownBy(
                        () -> {
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 2_000);
                            }
                        })
                .as("connecting to %s after close", endpoint)
                .isInstanceOf(ConnectException.class);
    }

}
