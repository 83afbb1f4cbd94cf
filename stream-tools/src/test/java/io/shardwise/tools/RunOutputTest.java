package io.shardwise.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RunOutputTest {

    enum Action { DONE, WOULD_DO, PAST_RETENTION, FAILED }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private RunOutput<Action> output(boolean verbose, int progressEvery) {
        return new RunOutput<>(new PrintWriter(out), new Progress(new PrintWriter(err), "cmd", progressEvery),
                verbose, Action.class, EnumSet.of(Action.FAILED, Action.PAST_RETENTION));
    }

    @Test
    void withoutVerboseOnlyTheProblemsLinesArePrinted() {
        RunOutput<Action> output = output(false, 0);
        output.item(Action.DONE, "a done");
        output.item(Action.FAILED, "b failed");
        output.item(Action.PAST_RETENTION, "c gone");
        output.totals("found 3");

        assertThat(out.toString().lines()).containsExactly("b failed", "c gone", "found 3");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void verbosePrintsEveryLineAndProgressCountsEveryActionInOrder() {
        RunOutput<Action> output = output(true, 2);
        output.item(Action.DONE, "a");
        output.item(Action.DONE, "b");
        output.item(Action.FAILED, "c");

        assertThat(out.toString().lines()).containsExactly("a", "b", "c");
        assertThat(err.toString().lines())
                .containsExactly("cmd: 2 handled (2 done, 0 would do, 0 past retention, 0 failed) ...");
        assertThat(output.counts()).isEqualTo("3 handled (2 done, 0 would do, 0 past retention, 1 failed)");
    }
}
