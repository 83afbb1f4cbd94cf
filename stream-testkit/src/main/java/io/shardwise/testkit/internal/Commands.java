package io.shardwise.testkit.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** Small helpers for child processes: run-to-completion, output pumping, and killing a process tree. */
final class Commands {

    private Commands() {}

    /** The result of a command run to completion. */
    record Result(int exitCode, String output) {}

    /**
     * Runs {@code command} in {@code dir} to completion (output merged, logged at debug) and returns its exit code
     * and output. Throws {@link IOException} when the executable cannot be started, and kills the process tree on
     * timeout.
     */
    static Result run(List<String> command, java.nio.file.Path dir, long timeoutSeconds, Logger log)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process process = pb.start();
        process.getOutputStream().close();
        OutputPump pump = OutputPump.start(process.getInputStream(), "cmd-" + command.get(0), log, false);
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            killTree(process, 5);
            throw new IOException(
                    "`" + String.join(" ", command) + "` did not finish within " + timeoutSeconds + " s; output:\n"
                            + pump.tail());
        }
        pump.join(5_000);
        return new Result(process.exitValue(), pump.tail());
    }

    /**
     * Stops a process and every process it started: SIGTERM (or the platform's equivalent) to all, then a forced
     * kill of whatever is still alive after {@code graceSeconds}.
     */
    static void killTree(Process process, long graceSeconds) {
        killTree(process, List.of(), graceSeconds);
    }

    /**
     * Like {@link #killTree(Process, long)}, also killing {@code earlierDescendants} (a snapshot taken while the
     * process was alive: once it is gone, its orphaned children are no longer its descendants).
     */
    static void killTree(Process process, List<ProcessHandle> earlierDescendants, long graceSeconds) {
        List<ProcessHandle> all = new ArrayList<>(earlierDescendants);
        process.descendants().filter(h -> !all.contains(h)).forEach(all::add);
        all.add(process.toHandle());
        for (ProcessHandle h : all) {
            h.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        for (ProcessHandle h : all) {
            waitFor(h, deadline);
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        long hardDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle h : all) {
            waitFor(h, hardDeadline);
        }
    }

    private static void waitFor(ProcessHandle h, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !h.isAlive()) {
            return;
        }
        try {
            h.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // timed out or failed: the caller escalates.
        }
    }

    /** Copies a child's output, line by line, to a logger, and keeps the last lines for error messages. */
    static final class OutputPump implements Runnable {
        private static final int TAIL_LINES = 60;
        private final InputStream in;
        private final Logger log;
        private final boolean info;
        private final Deque<String> tail = new ArrayDeque<>();
        private final Thread thread;

        private OutputPump(InputStream in, String name, Logger log, boolean info) {
            this.in = in;
            this.log = log;
            this.info = info;
            this.thread = new Thread(this, name + "-output");
            this.thread.setDaemon(true);
        }

        static OutputPump start(InputStream in, String name, Logger log, boolean info) {
            OutputPump pump = new OutputPump(in, name, log, info);
            pump.thread.start();
            return pump;
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (info) {
                        log.info("{}", line);
                    } else {
                        log.debug("{}", line);
                    }
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away: nothing more to copy.
            }
        }

        void join(long millis) throws InterruptedException {
            thread.join(millis);
        }

        /** The last lines read so far. */
        String tail() {
            synchronized (tail) {
                return String.join("\n", tail);
            }
        }
    }
}
