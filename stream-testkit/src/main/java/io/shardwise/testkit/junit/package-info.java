/**
 * JUnit 5 support: {@link io.shardwise.testkit.junit.LocalStreamsExtension} starts the local emulators once per
 * JVM, injects SDK clients and a per-test {@link io.shardwise.testkit.junit.LocalStreams} that creates uniquely
 * named streams and tables, runs event source mappings, and deletes everything after the test.
 */
package io.shardwise.testkit.junit;
