/**
 * Internal: the implementation of the emulator launchers (the DynamoDB engine's HTTP server, kinesis-mock child process,
 * npm install, Node.js detection). Not an API: anything here may change or disappear in any release. Use
 * {@link io.shardwise.testkit.LocalEmulators} and {@link io.shardwise.testkit.LocalAwsClients} instead.
 */
package io.shardwise.testkit.internal;
