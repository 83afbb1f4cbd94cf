package io.shardwise.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardwise.testkit.EmulatorException;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
    void theCacheDirDefaultsUnderTheUserHome() {
        if (System.getenv("SHARDWISE_CACHE_DIR") == null && System.getenv("XDG_CACHE_HOME") == null) {
            assertThat(KinesisMockInstallation.cacheInstallDir())
                    .isEqualTo(
                            java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "shardwise", "kinesis-local-0.6.2"));
        }
        System.setProperty("shardwise.cacheDir", "/tmp/shardwise-cache-test");
        try {
            assertThat(KinesisMockInstallation.cacheInstallDir())
                    .isEqualTo(java.nio.file.Path.of("/tmp/shardwise-cache-test/kinesis-local-0.6.2"));
        } finally {
            System.clearProperty("shardwise.cacheDir");
        }
    }
}
