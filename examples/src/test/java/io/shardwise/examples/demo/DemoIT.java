package io.shardwise.examples.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo, smaller: every check passes, and it prints the report the README shows. */
class DemoIT {

    @Test
    void aSmallDemoPassesEveryCheck() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        int status = Demo.run(new Demo.Options(600, 60, 0.03, 7L, true), out);

        String report = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        assertThat(status).as(report).isZero();
        assertThat(report).contains("totals match: yes", "events match: yes", "all checks passed")
                .containsPattern("every record done +yes")
                .containsPattern("order per customer kept +yes");
    }
}
