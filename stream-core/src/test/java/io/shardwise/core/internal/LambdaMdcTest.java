package io.shardwise.core.internal;

import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;

class LambdaMdcTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void setsTheRequestIdAndTheTraceRootAndRestoresWhatWasThere() {
        MDC.put(LambdaMdc.REQUEST_ID, "outer");
        FakeContext context = FakeContext.create();

        LambdaMdc mdc = LambdaMdc.set(context, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f;Sampled=1");
        assertThat(LambdaMdc.requestId()).isEqualTo(context.getAwsRequestId());
        assertThat(LambdaMdc.traceId()).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");

        mdc.restore();
        assertThat(MDC.get(LambdaMdc.REQUEST_ID)).isEqualTo("outer");
        assertThat(MDC.get(LambdaMdc.TRACE_ID)).isNull();
    }

    @Test
    void withoutContextOrTraceHeaderNothingIsSet() {
        LambdaMdc.set(null, null);
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        LambdaMdc.set(null, "Parent=53995c3f;Sampled=0");
        assertThat(LambdaMdc.traceId()).isNull();
    }

    @Test
    void theRootIsFoundAnywhereInTheHeader() {
        assertThat(LambdaMdc.traceRoot("Sampled=1; Root=1-abc ;Parent=2")).isEqualTo("1-abc");
        assertThat(LambdaMdc.traceRoot("Root=")).isNull();
        assertThat(LambdaMdc.traceRoot(" ")).isNull();
    }
}
