package io.shardwise.simulation;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.function.Consumer;

/**
 * Hands the library's warnings (lease_lost, deadline_stop, watermark_race, ...) to the schedule that is running:
 * they go into its trace, and the documented ones count as disruptions of the invocation that logged them.
 * Configured in logback-test.xml. One schedule runs at a time per JVM.
 */
public final class LogTap extends AppenderBase<ILoggingEvent> {
    private static volatile Consumer<String> listener;

    static void listen(Consumer<String> l) {
        listener = l;
    }

    @Override
    protected void append(ILoggingEvent event) {
        Consumer<String> l = listener;
        if (l != null) {
            l.accept(event.getLevel() + " " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " [" + event.getThrowableProxy().getClassName() + ": "
                    + event.getThrowableProxy().getMessage() + "]"));
        }
    }
}
