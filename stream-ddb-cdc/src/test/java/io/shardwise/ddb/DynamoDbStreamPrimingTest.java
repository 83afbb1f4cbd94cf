package io.shardwise.ddb;

import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.InMemoryDedupStore;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link DynamoDbStreamHandler#prime()}: the synthetic INSERT maps through the schema; the processor runs only on a sample. */
class DynamoDbStreamPrimingTest {
    private final List<ChangeRecord<Order>> seen = new CopyOnWriteArrayList<>();
    private final InMemoryDedupStore store = new InMemoryDedupStore();

    private DynamoDbStreamHandler.Builder<Order> builder() {
        return DynamoDbStreamHandler.builder(Schemas.BEAN)
                .processor(RecordProcessor.of((StreamRecord<ChangeRecord<Order>> r, RecordContext c) ->
                        seen.add(r.payload())))
                .config(ProcessingConfig.builder("ddb-priming").metrics(false).dedupStore(store).build());
    }

    @Test
    void withoutASampleTheMadeUpKeyIsMappedAndTheProcessorDoesNotRun() {
        BatchResult result = builder().build().prime();

        // Two records: the first skips the schema (the engine's success path), the second maps the made-up key.
        assertThat(result.outcomes()).hasSize(2).allSatisfy(o -> assertThat(o.outcome())
                .isEqualTo(Outcome.PROCESSED));
        assertThat(seen).isEmpty();
        assertThat(store.requestCounter().total()).isZero(); // the handler's own store is never used
    }

    @Test
    void withASampleTheProcessorSeesItAsAnInsert() {
        Order sample = new Order();
        sample.setCustomerId("c-priming");
        sample.setOrderId(0L);
        sample.setTotal(BigDecimal.ZERO);

        BatchResult result = builder().primingSample(sample).build().prime();

        assertThat(result.allDone()).isTrue();
        assertThat(seen).singleElement().satisfies(change -> {
            assertThat(change.eventName()).hasToString("INSERT");
            assertThat(change.newImage()).hasValueSatisfying(o -> {
                assertThat(o.getCustomerId()).isEqualTo("c-priming");
                assertThat(o.getTotal()).isEqualByComparingTo("0");
            });
        });
        assertThat(store.requestCounter().total()).isZero();
    }
}
