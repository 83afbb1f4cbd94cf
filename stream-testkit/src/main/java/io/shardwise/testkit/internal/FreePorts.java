package io.shardwise.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback ports for a child process that cannot be told to bind port 0. There is an unavoidable window
 * between closing the probe socket and the child binding the port; the kinesis-mock launcher retries on a
 * bind failure.
 */
final class FreePorts {

    private FreePorts() {}

    /** {@code count} distinct ports that were free on 127.0.0.1 a moment ago. */
    static int[] take(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(Loopback.HOST));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port on " + Loopback.HOST, e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
            }
        }
    }
}
