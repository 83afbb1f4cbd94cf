package io.shardwise.testkit.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Validation of the mapping's settings (Lambda's ranges) and of runner/handler/source combinations. */
class EventSourceMappingTest {

    @Test
    void defaultsAreLambdas() {
        EventSourceMapping m = EventSourceMapping.builder().build();
        assertThat(m.batchSize()).isEqualTo(100);
        assertThat(m.maximumBatchingWindow()).isZero();
        assertThat(m.maximumRetryAttempts()).isEqualTo(-1);
        assertThat(m.maximumRecordAgeInSeconds()).isEqualTo(-1);
        assertThat(m.parallelizationFactor()).isEqualTo(1);
        assertThat(m.tumblingWindowInSeconds()).isZero();
        assertThat(m.reportBatchItemFailures()).isFalse();
        assertThat(m.bisectBatchOnFunctionError()).isFalse();
        assertThat(m.startingPosition()).isEqualTo(StartingPosition.TRIM_HORIZON);
        assertThat(m.onFailure()).isNull();
        assertThat(m.checkpointStore()).isNotNull();
        assertThat(m.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:local-function");
        assertThat(m.toBuilder().build().uuid()).isEqualTo(m.uuid());
    }

    static java.util.stream.Stream<Arguments> outOfRange() {
        return java.util.stream.Stream.of(
                Arguments.of("batchSize", (UnaryOperator<EventSourceMapping.Builder>) b -> b.batchSize(0)),
                Arguments.of("batchSize", (UnaryOperator<EventSourceMapping.Builder>) b -> b.batchSize(10_001)),
                Arguments.of("maximumBatchingWindow",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.maximumBatchingWindow(Duration.ofSeconds(301))),
                Arguments.of("maximumRetryAttempts", (UnaryOperator<EventSourceMapping.Builder>) b -> b.maximumRetryAttempts(-2)),
                Arguments.of("maximumRecordAgeInSeconds",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.maximumRecordAgeInSeconds(59)),
                Arguments.of("parallelizationFactor",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.parallelizationFactor(11)),
                Arguments.of("tumblingWindowInSeconds",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.tumblingWindowInSeconds(901)),
                Arguments.of("startingPositionTimestamp",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.startingPosition(StartingPosition.AT_TIMESTAMP)),
                Arguments.of("startingPositionTimestamp",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.startingPositionTimestamp(Instant.now())),
                Arguments.of("functionTimeout",
                        (UnaryOperator<EventSourceMapping.Builder>) b -> b.functionTimeout(Duration.ZERO)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outOfRange")
    void rejectsValuesLambdaRejectsNamingTheSetting(String setting, UnaryOperator<EventSourceMapping.Builder> change) {
        assertThatThrownBy(() -> change.apply(EventSourceMapping.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(setting);
    }

    @Test
    void runnersRefuseHandlersThatDoNotFitTheSourceOrTheMapping() {
        InMemoryStream kinesis = InMemoryStream.kinesis("k", 1);
        InMemoryStream ddb = InMemoryStream.dynamoDb("t", "KEYS_ONLY", java.time.Clock.systemUTC());
        RequestHandler<DynamodbEvent, StreamsEventResponse> ddbHandler = (event, context) -> null;
        assertThatThrownBy(() -> EventSourceMappingRunner.forDynamoDb(kinesis, EventSourceMapping.builder().build(),
                ddbHandler)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KINESIS stream");
        assertThatThrownBy(() -> EventSourceMappingRunner.forDynamoDb(ddb,
                EventSourceMapping.builder().startingPosition(StartingPosition.AT_TIMESTAMP)
                        .startingPositionTimestamp(Instant.now()).build(), ddbHandler))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AT_TIMESTAMP");
        assertThatThrownBy(() -> EventSourceMappingRunner.forKinesis(kinesis,
                EventSourceMapping.builder().tumblingWindowInSeconds(10).build(), (event, context) -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("forKinesisWindows");
        assertThatThrownBy(() -> EventSourceMappingRunner.forKinesisWindows(kinesis, EventSourceMapping.builder().build(),
                (event, context) -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tumblingWindowInSeconds");
    }

    @Test
    void aRunnerStartsOnceAndCloseIsIdempotent() {
        var runner =
                EventSourceMappingRunner.forKinesis(InMemoryStream.kinesis("k", 1), EventSourceMapping.builder().build(),
                        (event, context) -> null);
        runner.start();
        assertThat(runner.isRunning()).isTrue();
        assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class);
        runner.close();
        runner.close();
        assertThat(runner.isRunning()).isFalse();
    }

    @Test
    void awaitDrainedFailsWithTheStateOfEveryShardWhenABatchKeepsFailing() {
        InMemoryStream stream = InMemoryStream.kinesis("stuck", 1);
        stream.put("a", "1");
        try (var runner =
                EventSourceMappingRunner.forKinesis(stream, EventSourceMapping.builder().retryBackoff(Duration.ofMillis(5))
                                .build(),
                                (event, context) -> {
                                    throw new IllegalStateException("never");
                                })
                        .start()) {
            runner.awaitInvocations(2, Batches.WAIT);
            assertThatThrownBy(() -> runner.awaitDrained(Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("shardId-000000000000")
                    .hasMessageContaining("queue=1")
                    .hasMessageContaining("IllegalStateException: never");
            assertThat(runner.checkpoints()).isEmpty();
        }
    }
}
