package io.shardwise.core.internal.priming;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class CheckpointHookTest {

    @Test
    void beforeCheckpointRunsThePrimingAndAFailureNeverFailsTheCheckpoint() {
        AtomicInteger runs = new AtomicInteger();
        CheckpointHook ok = CheckpointHook.register("test", runs::incrementAndGet);
        CheckpointHook failing = CheckpointHook.register("test", () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("boom");
        });

        ok.beforeCheckpoint(null);
        assertThatCode(() -> failing.beforeCheckpoint(null)).doesNotThrowAnyException();
        ok.afterRestore(null);

        assertThat(runs).hasValue(2);
    }

    @Test
    void theInJvmClientAnswersInTheRequestsProtocol() {
        // SdkWarmup's whole point: requests are answered, none leaves the JVM.
        assertThat(SdkWarmup.warm(io.shardwise.core.ProcessingConfig.builder("c").build())).isZero();
        assertThat(SdkWarmup.warm(io.shardwise.core.ProcessingConfig.builder("c")
                .dedupStore(io.shardwise.core.dedup.DynamoDbDedupStore.builder(
                        software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                                .endpointOverride(java.net.URI.create("http://127.0.0.1:9"))
                                .credentialsProvider(software.amazon.awssdk.auth.credentials
                                        .AnonymousCredentialsProvider.create()).build(), "t").build())
                .build())).isEqualTo(4);
    }
}
