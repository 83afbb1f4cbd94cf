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

    /** JOINING: handed its work to child threads (key-parallel lanes) and waits for them, off the baton. */
    enum State { RUNNABLE, RUNNING, SLEEPING, JOINING, DONE }

    /** One simulated thread. */
    final class SimThread {
        final String name;
        final Thread thread;
        private final Semaphore go = new Semaphore(0);
        volatile State state = State.RUNNABLE;
        volatile long wakeAt;
        volatile boolean killed;
        volatile Throwable failure;
        /** The thread that started this one as a lane (null for an invocation). */
        final SimThread parent;
        final List<SimThread> children = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Set between detach and the first scheduling point after the children are done. */
        volatile boolean detached;

        private SimThread(String name, Runnable body, SimThread parent) {
            this.name = name;
            this.parent = parent;
            this.thread = new Thread(() -> {
                go.acquireUninterruptibly();
                try {
                    // Even when killed before its first turn: the body's first scheduling point throws Killed, and
                    // a lane's task must still end its future (its invocation waits for it).
                    body.run();
                } catch (Killed k) {
                    // a crash: nothing more happens on this thread
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    boolean offBaton = detached;
                    state = State.DONE;
                    byThread.remove(Thread.currentThread());
                    if (!offBaton) {
                        back.release(); // a detached thread ends off the baton: the driver sees DONE itself
                    }
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
    private final List<SimThread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    Baton(VirtualClock clock) {
        this.clock = clock;
    }

    VirtualClock clock() {
        return clock;
    }

    /** A new simulated thread, runnable; it starts at its first turn. */
    SimThread spawn(String name, Runnable body) {
        return spawn(name, body, null);
    }

    private SimThread spawn(String name, Runnable body, SimThread parent) {
        SimThread t = new SimThread(name, body, parent);
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
        if (me.detached) {
            // Back from joining its lanes: it was off the baton, the driver waits for it to arrive here.
            me.detached = false;
        } else {
            back.release();
        }
        me.go.acquireUninterruptibly();
        if (me.killed) {
            throw new Killed(me.name);
        }
    }

    /**
     * An executor for the engine's key-parallel lanes: each task runs on a new simulated thread, a child of the
     * caller, scheduled by the baton like any other. The caller leaves the baton at its first task (it only
     * submits the rest and waits for them, touching nothing shared) and takes its turn again at its first
     * scheduling point after all its children ended. {@link #settle()} makes both moments points of the schedule.
     */
    java.util.concurrent.Executor laneExecutor() {
        return task -> {
            SimThread me = current();
            if (me == null) {
                task.run();
                return;
            }
            SimThread child = spawn(me.name + "/lane" + (me.children.size() + 1), task, me);
            me.children.add(child);
            if (me.state != State.JOINING) {
                me.detached = true;
                me.state = State.JOINING;
                back.release();
            }
        };
    }

    /**
     * Driver, before each decision: waits (in real time) until every joining thread is either parked waiting for
     * its children (so all of them are spawned) or, once its children are done, back at a scheduling point or
     * ended. So what the driver chooses from never depends on real thread timing.
     */
    void settle() {
        long until = System.nanoTime() + 60_000_000_000L;
        for (SimThread t : threads) {
            while (t.state == State.JOINING) {
                boolean childrenDone = t.children.stream().allMatch(SimThread::done);
                if (!childrenDone) {
                    Thread.State real = t.thread.getState();
                    if (real == Thread.State.WAITING || real == Thread.State.TIMED_WAITING) {
                        break; // parked in its join: every lane is spawned, it waits for them
                    }
                }
                // children done: wait until it is back at a scheduling point (RUNNABLE, SLEEPING) or ended
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("simulated thread " + t.name + " neither joined its lanes nor "
                            + "came back from them: " + stack(t.thread));
                }
                Thread.onSpinWait();
            }
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

    /** The earliest wake-up time of a sleeping thread or a pending timer task, or Long.MAX_VALUE. */
    long nextWake() {
        long min = Long.MAX_VALUE;
        for (SimThread t : threads) {
            if (t.state == State.SLEEPING) {
                min = Math.min(min, t.wakeAt);
            }
        }
        for (Due d : pending) {
            min = Math.min(min, d.at);
        }
        return min;
    }

    /** Makes the sleepers whose time has come runnable, and starts the timer tasks that are due. */
    void wakeDue() {
        for (SimThread t : threads) {
            if (t.state == State.SLEEPING && t.wakeAt <= clock.now()) {
                t.state = State.RUNNABLE;
            }
        }
        for (Due d : pending) {
            if (d.at <= clock.now()) {
                pending.remove(d);
                d.started = spawn(d.name, d.task, d.owner);
            }
        }
    }

    /**
     * A timer on virtual time, for the engine's overrun watch: {@code schedule} keeps the task until its time
     * comes, then runs it on a new simulated thread whose parent is the caller's invocation (its store calls are
     * that invocation's), scheduled like any other and joined by nobody. Before that moment nothing runs, so the
     * schedule's choices are the same as without a timer until it fires. {@code cancel(false)} drops a task not
     * started yet and, as a real timer, leaves a started one running. Only {@code schedule(Runnable, ...)} exists.
     */
    java.util.concurrent.ScheduledExecutorService timer() {
        return new VirtualTimer();
    }

    /** Drops the pending timer tasks of {@code invocation} and kills the started ones: its runtime died. */
    void killTimersOf(SimThread invocation) {
        for (Due d : pending) {
            if (d.owner == invocation) {
                pending.remove(d);
            }
        }
        for (SimThread t : threads) {
            if (t.parent == invocation && !invocation.children.contains(t)) {
                t.kill();
            }
        }
    }

    private final List<Due> pending = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A timer task waiting for its virtual time. */
    private final class Due implements java.util.concurrent.ScheduledFuture<Object> {
        final SimThread owner;
        final String name;
        final Runnable task;
        final long at;
        volatile SimThread started;
        volatile boolean cancelled;

        Due(SimThread owner, String name, Runnable task, long at) {
            this.owner = owner;
            this.name = name;
            this.task = task;
            this.at = at;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (started != null || cancelled) {
                return false;
            }
            cancelled = true;
            pending.remove(this);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || (started != null && started.done());
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("the simulation's timer has no results");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("the simulation's timer has no results");
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - clock.now(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(java.util.concurrent.Delayed o) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
        }
    }

    private final class VirtualTimer extends java.util.concurrent.AbstractExecutorService
            implements java.util.concurrent.ScheduledExecutorService {
        @Override
        public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            SimThread me = current();
            if (me == null) {
                throw new IllegalStateException("the simulation's timer is armed from a simulated thread only");
            }
            SimThread invocation = me.parent != null ? me.parent : me;
            Due d = new Due(invocation, invocation.name + "/watch", command,
                    clock.now() + Math.max(0, unit.toMillis(delay)));
            pending.add(d);
            return d;
        }

        @Override
        public <V> java.util.concurrent.ScheduledFuture<V> schedule(java.util.concurrent.Callable<V> callable,
                                                                   long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
                                                                          long period, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
                                                                             long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void execute(Runnable command) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
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
                if (t.state != State.RUNNING && t.state != State.JOINING) {
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
