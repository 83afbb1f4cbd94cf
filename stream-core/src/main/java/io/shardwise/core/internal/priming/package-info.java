/**
 * Implementation of priming (see {@link io.shardwise.core.Priming}): a Lambda context for the synthetic batch, SDK
 * clients that answer in the JVM, the runtime's own event serialization when it is on the class path, and the
 * CRaC hook. Internal: not part of the API, may change in any release.
 */
package io.shardwise.core.internal.priming;
