/**
 * Reliability tests of the whole Kinesis path (adapter → engine → dedup store → failure sink): "every record's
 * effect exactly once (transactional mode) or at least once with bounded replay, in order per key, and nothing
 * silently dropped", under faults.
 *
 * <ul>
 *   <li>{@link io.shardwise.kinesis.reliability.KinesisFaultInjectionProperties} — jqwik, one random scenario per
 *       seed ({@link io.shardwise.kinesis.reliability.Scenario}) run by
 *       {@link io.shardwise.kinesis.reliability.LambdaSimulation} (Lambda's redelivery rules, ParallelizationFactor
 *       slots, execution environments that crash) against the in-memory store; CI profile.</li>
 *   <li>{@link io.shardwise.kinesis.reliability.KinesisFaultInjectionLongRun} — the long profile (≥ 10,000 seeds):
 *       {@code mvn -B -ntp -o test -pl stream-kinesis -Dtest=KinesisFaultInjectionLongRun
 *       -Dshardwise.reliability.tries=10000}; replay one seed with {@code -Dshardwise.reliability.seed=N}.</li>
 *   <li>{@link io.shardwise.kinesis.reliability.KinesisFaultInjectionDynamoDbIT} — the same on the embedded DynamoDB engine, store
 *       faults injected by an SDK interceptor ({@link io.shardwise.kinesis.reliability.DynamoDbFaults}), effects read
 *       back from a user table; and dedup keys stored hashed.</li>
 *   <li>{@link io.shardwise.kinesis.reliability.EmulatorCrashIT} — kinesis-mock and the DynamoDB engine killed mid-run
 *       under the testkit's event source mapping runner.</li>
 *   <li>{@link io.shardwise.kinesis.reliability.KinesisBadInputsTest} — the bad-input corpus
 *       ({@code src/test/resources/bad-inputs/kinesis/}, outcomes in its {@code manifest.json}).</li>
 *   <li>{@link io.shardwise.kinesis.reliability.LogSecurityTest} — no payload in logs.</li>
 *   <li>{@link io.shardwise.kinesis.reliability.HarnessSelfCheckTest} — broken stores are caught (the invariants are
 *       not blind).</li>
 *   <li>{@link io.shardwise.kinesis.reliability.FoundBugsRegressionTest} — the bugs this suite found, fixed and
 *       pinned.</li>
 * </ul>
 *
 * ITs: {@code mvn -B -ntp -o verify -pl stream-kinesis -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test='KinesisFaultInjectionDynamoDbIT,EmulatorCrashIT'} (the DynamoDB engine in-process; kinesis-mock needs
 * Node.js 18+, installed on first use).
 */
package io.shardwise.kinesis.reliability;
