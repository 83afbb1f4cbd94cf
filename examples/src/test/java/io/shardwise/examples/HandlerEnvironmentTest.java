package io.shardwise.examples;

import io.shardwise.examples.ordertotals.OrderTotalsHandler;
import io.shardwise.examples.outbox.OrderOutboxHandler;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Lambda builds the handlers with their no-argument constructors: a missing setting must say which. */
class HandlerEnvironmentTest {

    @Test
    void orderTotalsNamesTheFirstMissingVariable() {
        assumeTrue(System.getenv(OrderTotalsHandler.ENV_TOTALS_TABLE) == null, "TOTALS_TABLE is set here");
        assertThatThrownBy(OrderTotalsHandler::new)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Environment variable TOTALS_TABLE is not set")
                .hasMessageContaining("infra/template.yaml");
    }

    @Test
    void orderOutboxNamesTheFirstMissingVariable() {
        assumeTrue(System.getenv(OrderOutboxHandler.ENV_EVENTS_STREAM) == null, "EVENTS_STREAM is set here");
        assertThatThrownBy(OrderOutboxHandler::new)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Environment variable EVENTS_STREAM is not set");
    }

    @Test
    void settingsTreatBlankAsMissingAndTrimValues() {
        Settings settings = Settings.of(Map.of("A", "  ", "B", " orders "));
        assertThatThrownBy(() -> settings.required("A", "the thing"))
                .hasMessageContaining("Environment variable A is not set: it must hold the thing");
        assertThat(settings.required("B", "x")).isEqualTo("orders");
        assertThat(settings.optional("A", "fallback")).isEqualTo("fallback");
        assertThat(settings.optional("C", "fallback")).isEqualTo("fallback");
    }
}
