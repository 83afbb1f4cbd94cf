package io.shardwise.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardwise.testkit.EmulatorException;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

class NodeRuntimeTest {

    private static final String PROPERTY = "shardwise.node";

    @AfterEach
    void restore() {
        System.clearProperty(PROPERTY);
    }

    @Test
    void aMissingNodeGivesOneClearMessageSayingWhatToInstall() {
        System.setProperty(PROPERTY, "/nonexistent/shardwise-test/node");

        assertThatThrownBy(LocalEmulators::kinesis)
                .isExactlyInstanceOf(EmulatorException.class)
                .hasMessageContaining("kinesis-mock needs Node.js 18+")
                .hasMessageContaining("/nonexistent/shardwise-test/node")
                .hasMessageContaining("Install Node.js 18 or newer")
                .hasMessageContaining("-Dshardwise.node / SHARDWISE_NODE")
                .hasNoCause();
    }

    @Test
    void aNodeThatIsNotNodeIsRejected() {
        System.setProperty(PROPERTY, "true"); // exits 0, prints nothing

        assertThatThrownBy(NodeRuntime::detect)
                .isExactlyInstanceOf(EmulatorException.class)
                .hasMessageContaining("which is not a Node.js version");
    }

    @Test
    void theCacheDirIsThePropertyElseTheVariableElseXdgElseUnderTheUserHome() {
        // Lookups given here, not the machine's: each branch runs wherever the test runs (CI often sets XDG_*).
        Map<String, String> properties = new HashMap<>(Map.of("user.home", "/home/tester"));
        Map<String, String> environment = new HashMap<>();
        Supplier<Path> cacheDir = () -> Settings.cacheDir(properties::get, environment::get);

        assertThat(cacheDir.get()).isEqualTo(Path.of("/home/tester/.cache/shardwise"));
        environment.put("XDG_CACHE_HOME", " ");
        assertThat(cacheDir.get()).as("a blank variable is unset").isEqualTo(Path.of("/home/tester/.cache/shardwise"));
        environment.put("XDG_CACHE_HOME", "/xdg");
        assertThat(cacheDir.get()).isEqualTo(Path.of("/xdg/shardwise"));
        environment.put("SHARDWISE_CACHE_DIR", "/from-env");
        assertThat(cacheDir.get()).isEqualTo(Path.of("/from-env"));
        properties.put("shardwise.cacheDir", "/from-property");
        assertThat(cacheDir.get()).isEqualTo(Path.of("/from-property"));
    }

    @Test
    void kinesisMockIsInstalledUnderTheCacheDirByVersion() {
        System.setProperty("shardwise.cacheDir", "/tmp/shardwise-cache-test");
        try {
            assertThat(KinesisMockInstallation.cacheInstallDir())
                    .isEqualTo(Path.of("/tmp/shardwise-cache-test/kinesis-local-0.6.2"));
        } finally {
            System.clearProperty("shardwise.cacheDir");
        }
    }
}
