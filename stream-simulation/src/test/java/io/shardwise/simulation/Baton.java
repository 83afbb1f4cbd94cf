package io.shardwise.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The baton scheduler: every simulated activity (an invocation, a replay) runs on its own real thread, but only
 * the thread holding the baton runs; the others wait at a scheduling point (a DynamoDB call, a processor call, a
 * sink call) or sleep in virtual time. The driver (the thread that calls {@link #run}) hands the baton to one
 * runnable thread at a time and gets it back at that thread's next point, so the order of everything that touches
 * shared state is the driver's choice, drawn from the schedule's seed — never real thread timing.
 *
 * <p>Not thread-safe for several drivers: one driver per schedule.
 */
final class Baton {

    /** Thrown on a thread the simulation killed (a crashed runtime): it unwinds without touching anything. */
    static final class Killed extends VirtualMachineError {
        private static final long serialVersionUID = 1L;

        Killed(String name) {
            super("simulated crash of " + name);
        }
    }

    enum State { RUNNABLE, RUNNING, SLEEPING, DONE }

    /** One simulated thread. */
    final class SimThread {
        final String name;
        final Thread thread;
        private final Semaphore go = new Semaphore(0);
        volatile State state = State.RUNNABLE;
        volatile long wakeAt;
        volatile boolean killed;
        volatile Throwable failure;

        private SimThread(String name, Runnable body) {
            this.name = name;
            this.thread = new Thread(() -> {
                go.acquireUninterruptibly();
                try {
                    if (!killed) {
                        body.run();
                    }
                } catch (Killed k) {
                    // a crash: nothing more happens on this thread
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    state = State.DONE;
                    byThread.remove(Thread.currentThread());
                    back.release();
                }
            }, "sim-" + name);
            thread.setDaemon(true);
        }

        boolean done() {
            return state == State.DONE;
        }

        /** Marks it crashed: its next scheduling point throws {@link Killed}. */
        void kill() {
            killed = true;
        }
    }

    private final VirtualClock clock;
    private final Semaphore back = new Semaphore(0);
    private final Map<Thread, SimThread> byThread = new ConcurrentHashMap<>();
    private final List<SimThread> threads = new ArrayList<>();

    Baton(VirtualClock clock) {
        this.clock = clock;
    }

    VirtualClock clock() {
        return clock;
    }

    /** A new simulated thread, runnable; it starts at its first turn. */
    SimThread spawn(String name, Runnable body) {
        SimThread t = new SimThread(name, body);
        threads.add(t);
        byThread.put(t.thread, t);
        t.thread.start();
        return t;
    }

    /** The simulated thread running now, or null on the driver (set-up, checks). */
    SimThread current() {
        return byThread.get(Thread.currentThread());
    }

    /**
     * A scheduling point on a simulated thread: {@code costMillis} of virtual time pass, then the driver may let
     * another thread run before this one goes on. On the driver (no simulated thread) only the time passes.
     *
     * @throws Killed if this thread was killed
     */
    void point(long costMillis) {
        SimThread me = current();
        if (me == null) {
            return;
        }
        if (me.killed) {
            throw new Killed(me.name);
        }
        clock.advance(costMillis);
        me.state = State.RUNNABLE;
        handBack(me);
    }

    /** Sleeps this simulated thread for {@code millis} of virtual time (other threads run meanwhile). */
    void sleep(long millis) {
        SimThread me = current();
        if (me == null) {
            clock.advance(millis);
            return;
        }
        if (me.killed) {
            throw new Killed(me.name);
        }
        me.wakeAt = clock.now() + Math.max(0, millis);
        me.state = State.SLEEPING;
        handBack(me);
    }

    private void handBack(SimThread me) {
        back.release();
        me.go.acquireUninterruptibly();
        if (me.killed) {
            throw new Killed(me.name);
        }
    }

    /** Threads waiting for a turn, in creation order (the driver picks among them with its seed). */
    List<SimThread> runnable() {
        List<SimThread> r = new ArrayList<>();
        for (SimThread t : threads) {
            if (t.state == State.RUNNABLE) {
                r.add(t);
            }
        }
        return r;
    }

    /** The earliest wake-up time of a sleeping thread, or Long.MAX_VALUE. */
    long nextWake() {
        long min = Long.MAX_VALUE;
        for (SimThread t : threads) {
            if (t.state == State.SLEEPING) {
                min = Math.min(min, t.wakeAt);
            }
        }
        return min;
    }

    /** Makes the sleepers whose time has come runnable. */
    void wakeDue() {
        for (SimThread t : threads) {
            if (t.state == State.SLEEPING && t.wakeAt <= clock.now()) {
                t.state = State.RUNNABLE;
            }
        }
    }

    /** Driver: gives {@code t} the baton until its next scheduling point or its end. */
    void run(SimThread t) {
        t.state = State.RUNNING;
        t.go.release();
        try {
            if (!back.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("simulated thread " + t.name + " kept the baton for 60 s (blocked "
                        + "outside a scheduling point?): " + stack(t.thread));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + t.name + " ran", e);
        }
    }

    /** Driver, at the end of a schedule: kills every thread not done and lets each unwind. */
    void killAll() {
        for (SimThread t : threads) {
            if (!t.done()) {
                t.kill();
                if (t.state != State.RUNNING) {
                    run(t);
                }
            }
        }
        for (SimThread t : threads) {
            try {
                t.thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String stack(Thread t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            b.append("\n  at ").append(e);
        }
        return b.toString();
    }
}
