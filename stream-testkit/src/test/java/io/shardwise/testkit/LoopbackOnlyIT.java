package io.shardwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardwise.testkit.internal.KinesisMockProcess;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * While running, the emulators listen on loopback only. Checked in the kernel's socket tables
 * ({@code /proc/net/tcp}, {@code /proc/net/tcp6}; Linux only, skipped elsewhere): each check first asserts
 * that it found the emulator's listening socket(s), so it cannot pass on an empty set.
 */
class LoopbackOnlyIT {

    private static final String LISTEN = "0A";
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");

    record Listener(InetAddress address, int port, long inode) {}

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Files.isReadable(Paths.get("/proc/net/tcp")), "needs Linux /proc/net/tcp");
    }

    @Test
    void dynamoDbLocalListensOnLoopbackOnly() throws IOException {
        EmbeddedDynamoDb ddb = LocalEmulators.dynamoDb();
        ddb.client().listTables(); // it answers...
        int port = ddb.endpoint().getPort();
        Set<Long> ours = socketInodes(ProcessHandle.current().pid());

        List<Listener> onPort = listeners().stream().filter(l -> l.port() == port).toList();
        assertThat(onPort).as("listening sockets on the DynamoDB engine's port %s", port).isNotEmpty();
        assertThat(onPort).allSatisfy(l -> assertThat(l.address().isLoopbackAddress()).as("%s", l).isTrue());
        assertThat(onPort).as("...and they are this JVM's").allSatisfy(l -> assertThat(ours).contains(l.inode()));
    }

    @Test
    void kinesisMockListensOnLoopbackOnly() throws IOException {
        KinesisMock kinesis = LocalEmulators.kinesis();
        kinesis.client().listStreams(); // it answers...
        long pid = ((KinesisMockProcess) kinesis).pid();
        Set<Long> nodeSockets = socketInodes(pid);

        List<Listener> nodeListeners = listeners().stream().filter(l -> nodeSockets.contains(l.inode())).toList();
        assertThat(nodeListeners)
                .as("node's listening sockets: the plain-HTTP and the TLS port")
                .hasSizeGreaterThanOrEqualTo(2)
                .anySatisfy(l -> assertThat(l.port()).isEqualTo(kinesis.endpoint().getPort()));
        assertThat(nodeListeners).allSatisfy(l -> assertThat(l.address().isLoopbackAddress()).as("%s", l).isTrue());
    }

    /** Every TCP socket in LISTEN state, IPv4 and IPv6. */
    static List<Listener> listeners() throws IOException {
        List<Listener> result = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Paths.get(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (!LISTEN.equals(f[3])) {
                    continue;
                }
                String[] local = f[1].split(":");
                result.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16), Long.parseLong(f[9])));
            }
        }
        return result;
    }

    /** /proc/net/tcp* addresses are 32-bit words in host (little-endian) byte order. */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = (word * 4 + (3 - i)) * 2;
                bytes[word * 4 + i] = (byte) new BigInteger(hex.substring(at, at + 2), 16).intValue();
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    /** The inodes of the sockets a process has open. */
    static Set<Long> socketInodes(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    Matcher m = SOCKET_LINK.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(Long.parseLong(m.group(1)));
                    }
                } catch (IOException e) {
                    // the descriptor was closed meanwhile
                }
            }
        }
        return inodes;
    }
}
