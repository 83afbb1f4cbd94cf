package io.shardwise.tools;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Progress lines on standard error during a long run: one every {@code every} steps ({@code 0}: none), so a
 * run over thousands of records shows it is moving without burying the summary. Not thread-safe.
 */
public final class Progress {

    private final PrintWriter err;
    private final String command;
    private final int every;
    private long steps;

    /**
     * @param err     where the lines go
     * @param command the command's name, first on each line
     * @param every   a line every this many steps; 0 for none
     */
    public Progress(PrintWriter err, String command, int every) {
        if (every < 0) {
            throw new IllegalArgumentException("--progress-every must be 0 (off) or more, got " + every);
        }
        this.err = err;
        this.command = command;
        this.every = every;
    }

    /** One step done; {@code counts} says where the run stands (called only when a line is due). */
    public void step(Supplier<String> counts) {
        steps++;
        if (every > 0 && steps % every == 0) {
            err.println(command + ": " + counts.get() + " ...");
            err.flush();
        }
    }
}
