package io.shardwise.kinesis.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No payload in logs by default (SPEC §7): whole simulated runs — undecodable records, corrupt KPL aggregates,
 * processor failures, retries, parking, sink failures, crashes, store failures — with every shardwise logger at
 * TRACE and EMF metrics on, capturing all log events (message, arguments, exceptions with their causes) and
 * standard output and error. No payload's personal data, raw JSON or base64 may appear anywhere. With
 * {@code logPayloads(true)} the same check finds the payloads: the capture is not blind.
 */
class LogSecurityTest {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Logger shardwise;
    private Logger root;
    private PrintStream out;
    private PrintStream err;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        appender.start();
        shardwise = (Logger) LoggerFactory.getLogger("io.shardwise");
        shardwise.setLevel(Level.TRACE);
        shardwise.setAdditive(false);
        shardwise.addAppender(appender);
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        out = System.out;
        err = System.err;
        PrintStream both = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
    }

    @AfterEach
    void release() {
        System.setOut(out);
        System.setErr(err);
        shardwise.detachAppender(appender);
        shardwise.setAdditive(true);
        shardwise.setLevel(null);
        root.detachAppender(appender);
    }

    @Test
    void noPayloadInLogsOverWholeRunsWithFailuresAndParking() {
        List<Scenario> scenarios = runs(false);
        String logs = everything();
        assertThat(appender.list.size()).as("log events captured").isGreaterThan(100);
        assertThat(logs).contains("record_parked").contains("record_failed").contains("\"event\":\"batch\"")
                .contains("RecordsParked"); // EMF metrics on standard output
        for (Scenario sc : scenarios) {
            for (String secret : sc.secrets) {
                assertThat(logs).as("personal data in the logs").doesNotContain(secret);
            }
            for (byte[] payload : sc.payloads) {
                assertThat(logs).as("a payload as base64 in the logs")
                        .doesNotContain(Base64.getEncoder().encodeToString(payload));
            }
        }
    }

    @Test
    void theCheckFindsPayloadsWhenLoggingThemIsAskedFor() {
        List<Scenario> scenarios = runs(true);
        String logs = everything();
        long found = scenarios.stream().flatMap(sc -> sc.payloads.stream())
                .filter(p -> logs.contains(Base64.getEncoder().encodeToString(p))).count();
        assertThat(found).as("payloads found as base64 with logPayloads(true)").isPositive();
    }

    private List<Scenario> runs(boolean logPayloads) {
        List<Scenario> scenarios = new ArrayList<>();
        for (long seed = 500; seed < 540; seed++) {
            Scenario sc = Scenario.generate(seed, new Scenario.Options()
                    .probability(Scenario.Fault.SINK_FAILURE, 0.2)
                    .probability(Scenario.Fault.PROCESSOR_TRANSIENT_FAILURE, 0.2));
            scenarios.add(sc);
            try (LambdaSimulation sim = LambdaSimulation.inMemory(sc)) {
                sim.logPayloads = logPayloads;
                sim.metrics = true;
                sim.run().verify();
                assertThat(sim.violations()).as(sim.report()).isEmpty();
            }
        }
        return scenarios;
    }

    /** Every captured log event, with its arguments and exceptions (messages and stack frames), and the console. */
    private String everything() {
        StringBuilder b = new StringBuilder();
        for (ILoggingEvent e : appender.list) {
            b.append(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append('\n');
            if (e.getArgumentArray() != null) {
                for (Object a : e.getArgumentArray()) {
                    b.append(a).append('\n');
                }
            }
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                b.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
                for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                    b.append(frame.getSTEAsString()).append('\n');
                }
            }
        }
        b.append(console.toString(StandardCharsets.UTF_8));
        return b.toString();
    }
}
