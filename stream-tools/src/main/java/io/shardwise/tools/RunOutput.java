package io.shardwise.tools;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a command that works through items (parked records, on-failure messages) prints while it runs: each item's
 * line on standard output — every item's with {@code --verbose}, else only the problems' — and, through
 * {@link Progress}, a line on standard error every {@code --progress-every} items with the counts per action so
 * far. Not thread-safe: the runs call their listeners on the calling thread.
 *
 * @param <A> the run's actions (an item's outcome), in the order the counts are printed
 */
public final class RunOutput<A extends Enum<A>> {

    private final PrintWriter out;
    private final Progress progress;
    private final boolean verbose;
    private final Set<A> problems;
    private final Map<A, Integer> counts;

    /**
     * @param out      standard output
     * @param progress the progress lines (standard error)
     * @param verbose  print every item's line, not only the problems'
     * @param actions  the action type
     * @param problems the actions whose items are always printed
     */
    public RunOutput(PrintWriter out, Progress progress, boolean verbose, Class<A> actions, Set<A> problems) {
        this.out = out;
        this.progress = progress;
        this.verbose = verbose;
        this.problems = Set.copyOf(problems);
        this.counts = new EnumMap<>(actions);
        for (A a : actions.getEnumConstants()) {
            counts.put(a, 0);
        }
    }

    /**
     * One item handled: counts it, prints its line if due, and a progress line if due.
     *
     * @param action what was done with it
     * @param line   its line, as the run's item renders it
     */
    public void item(A action, String line) {
        counts.merge(action, 1, Integer::sum);
        if (verbose || problems.contains(action)) {
            out.println(line);
            out.flush();
        }
        progress.step(this::counts);
    }

    /**
     * The final line: the run's totals.
     *
     * @param totals the run summary's totals line
     */
    public void totals(String totals) {
        out.println(totals);
        out.flush();
    }

    /**
     * Where the run stands, e.g. {@code 12 handled (10 replayed, 0 would replay, 1 skipped, 1 failed)}.
     *
     * @return the counts so far, in the actions' order
     */
    public String counts() {
        int handled = counts.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder s = new StringBuilder().append(handled).append(" handled (");
        String separator = "";
        for (Map.Entry<A, Integer> e : counts.entrySet()) {
            s.append(separator).append(e.getValue()).append(' ')
                    .append(e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            separator = ", ";
        }
        return s.append(')').toString();
    }
}
