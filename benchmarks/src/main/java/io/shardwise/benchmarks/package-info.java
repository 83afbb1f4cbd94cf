/**
 * Benchmarks of shardwise next to two baselines, run on demand (never by {@code mvn verify}):
 * {@code mvn -B -ntp -q install -DskipTests && mvn -B -ntp -q -pl benchmarks exec:exec}. Writes
 * {@code docs/benchmarks.md}, {@code docs/benchmarks.png} and {@code docs/benchmarks-cost.png}. See {@link io.shardwise.benchmarks.BenchmarkMain}.
 *
 * <p>Not an API: nothing here is published or meant to be called from other modules.
 */
package io.shardwise.benchmarks;
