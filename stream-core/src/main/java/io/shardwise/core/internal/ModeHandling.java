package io.shardwise.core.internal;

/**
 * How one record is run under one dedup mode (or none). Called by {@link LaneScheduler} on the lane's thread, in
 * the lane's order; writes only the given slot and lane state.
 */
interface ModeHandling<R, T> {

    /** Runs one record that may start; leaves it with an outcome, or (transactional) staged for the next commit. */
    void handle(Slot<R, T> s, LaneState<R, T> state);

    /** Called before a record is made done out of turn (parked by the scheduler): commit what is staged first. */
    default void beforeDone(LaneState<R, T> state) {
    }

    /** Writes what the lane still holds (a pending commit, a watermark advance) once its last record ran. */
    default void finishLane(LaneState<R, T> state) {
    }
}
