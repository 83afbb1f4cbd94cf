package io.shardwise.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Captures what the named logback loggers log at {@code level} and above, instead of printing it, until closed
 * (which restores the loggers' configured level and additivity). Not thread-safe to open or close; the capture
 * itself is.
 */
public final class CapturedLogs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> loggers = new ArrayList<>();

    private CapturedLogs(Level level, String... names) {
        appender.start();
        for (String name : names) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.setLevel(level);
            logger.setAdditive(false); // captured here, not printed
            logger.addAppender(appender);
            loggers.add(logger);
        }
    }

    /** Starts capturing the loggers {@code names} at {@code level} and above. */
    public static CapturedLogs of(Level level, String... names) {
        return new CapturedLogs(level, names);
    }

    /** The captured events so far, oldest first. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase.doAppend appends under this lock
            return List.copyOf(appender.list);
        }
    }

    /** The captured messages so far, formatted, oldest first. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        for (Logger logger : loggers) {
            logger.detachAppender(appender);
            logger.setLevel(null);
            logger.setAdditive(true);
        }
        appender.stop();
    }
}
