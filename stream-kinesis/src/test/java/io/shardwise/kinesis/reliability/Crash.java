package io.shardwise.kinesis.reliability;

/**
 * The simulated abrupt end of a Lambda execution environment (the runtime process dies: out of memory, a
 * SIGKILL at the timeout, a host failure). Thrown by the fault-injecting wrappers at a chosen point; the harness
 * catches it and treats the invocation as never having returned, so Lambda redelivers the whole batch.
 *
 * <p>A {@link VirtualMachineError} on purpose: the engine lets those through instead of turning them into a
 * record failure (it catches {@code Throwable} around the processor but rethrows {@code VirtualMachineError}),
 * which is exactly how a real process death behaves — nothing after it runs. Once an environment has crashed,
 * every later call into its wrappers throws it again (the process is gone), so stray key-parallel lanes stop.
 */
final class Crash extends VirtualMachineError {
    private static final long serialVersionUID = 1L;

    Crash(String where) {
        super("injected crash: " + where);
    }
}
