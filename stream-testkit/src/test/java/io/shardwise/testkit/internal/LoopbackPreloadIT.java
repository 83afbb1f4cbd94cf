package io.shardwise.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node preload script on its own: listen() rewriting and exit-on-stdin-EOF. Needs node. */
class LoopbackPreloadIT {

    @TempDir static Path dir;
    static Path preload;
    static String node;

    @BeforeAll
    static void setUp() throws IOException {
        node = NodeRuntime.detect().node();
        preload = dir.resolve("loopback-preload.js");
        try (InputStream in =
                LoopbackPreloadIT.class.getResourceAsStream(KinesisMockInstallation.RESOURCE_DIR + "loopback-preload.js")) {
            Files.copy(in, preload);
        }
    }

    @Test
    void everyKindOfTcpListenIsMovedToLoopback() throws Exception {
        String script =
                String.join(
                        "\n",
                        "const net = require('net'), http = require('http');",
                        "const out = [];",
                        "const servers = [net.createServer(), net.createServer(), http.createServer(), net.createServer(), net.createServer()];",
                        "let pending = servers.length;",
                        "const done = (s) => () => { out.push(s.address().address); if (--pending === 0) { console.log(JSON.stringify(out)); servers.forEach(x => x.close()); } };",
                        "servers[0].listen(0, done(servers[0]));",
                        "servers[1].listen(0, '0.0.0.0', done(servers[1]));",
                        "servers[2].listen({ port: 0, host: '::' }, done(servers[2]));",
                        "servers[3].listen('0', done(servers[3]));",
                        "servers[4].listen({ port: 0 }, done(servers[4]));");
        Process p =
                new ProcessBuilder(List.of(node, "-r", preload.toString(), "-e", script))
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).isZero();
        assertThat(output)
                .isEqualTo("[\"127.0.0.1\",\"127.0.0.1\",\"127.0.0.1\",\"127.0.0.1\",\"127.0.0.1\"]");
    }

    @Test
    void nodeExitsWhenItsStdinCloses() throws Exception {
        // Like kinesis-mock's runtime, the script replaces process.exit with one that does not exit.
        String script = "process.exit = () => {}; setInterval(() => {}, 1000);";
        ProcessBuilder pb =
                new ProcessBuilder(List.of(node, "-r", preload.toString(), "-e", script))
                        .redirectErrorStream(true);
        pb.environment().put("SHARDWISE_EXIT_ON_STDIN_EOF", "1");
        Process p = pb.start();
        try {
            assertThat(p.waitFor(1, TimeUnit.SECONDS)).as("still running while stdin is open").isFalse();
            p.getOutputStream().close(); // what happens when the JVM that started it dies
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exited after stdin closed").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
