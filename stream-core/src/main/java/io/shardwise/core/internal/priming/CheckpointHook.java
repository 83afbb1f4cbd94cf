package io.shardwise.core.internal.priming;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CRaC {@link Resource} that primes a handler before Lambda SnapStart (or any CRaC runtime) takes its snapshot,
 * so that the code the first invocation runs is loaded and compiled in the snapshot instead of after every restore.
 * Outside CRaC, registering does nothing and the hook never runs.
 *
 * <p>CRaC holds registered resources weakly: the handler keeps this object in a field for as long as it lives.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-java.html">Lambda SnapStart
 *      runtime hooks for Java</a>
 */
public final class CheckpointHook implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointHook.class);

    private final String handler;
    private final Runnable prime;

    private CheckpointHook(String handler, Runnable prime) {
        this.handler = handler;
        this.prime = prime;
    }

    /**
     * Registers {@code prime} to run before a checkpoint.
     *
     * @param handler names the handler in the log line of a failed priming
     * @return the hook, which the caller must keep referenced
     */
    public static CheckpointHook register(String handler, Runnable prime) {
        CheckpointHook hook = new CheckpointHook(handler, prime);
        Core.getGlobalContext().register(hook);
        return hook;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            prime.run();
        } catch (RuntimeException e) {
            // A snapshot without priming is slower after restore, not wrong: never fail the checkpoint for it.
            LOG.warn("Priming {} before the checkpoint failed; the function works, its first invocation after "
                    + "each restore is slower: {}", handler, e.toString());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to reopen: the library holds no connections of its own (the SDK clients reconnect by themselves).
    }
}
