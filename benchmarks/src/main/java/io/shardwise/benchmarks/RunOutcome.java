package io.shardwise.benchmarks;

/**
 * What a contender did with one batch.
 *
 * @param processed records whose processor ran and succeeded
 * @param skipped   records recognised as already done (duplicates)
 * @param notDone   records that Lambda would redeliver (failed or not attempted)
 */
public record RunOutcome(int processed, int skipped, int notDone) {
    public boolean allDone() {
        return notDone == 0;
    }

    @Override
    public String toString() {
        return processed + " processed, " + skipped + " skipped" + (notDone == 0 ? "" : ", " + notDone + " not done");
    }
}
