package io.shardwise.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users' path: no pre-installed copy configured, so the launcher runs {@code npm ci} on the package.json and
 * lock bundled in the jar, into the cache dir (needs node, npm and the npm registry).
 */
class KinesisMockCacheInstallIT {

    private static final String[] PROPERTIES = {
        "shardwise.kinesisMock.home", "shardwise.kinesisMock.install", "shardwise.cacheDir"
    };
    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void save() {
        for (String p : PROPERTIES) {
            saved.put(p, System.getProperty(p));
            System.clearProperty(p);
        }
    }

    @AfterEach
    void restore() {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    @Test
    void installsTheBundledPinOnceIntoTheCacheDir(@TempDir Path cache) throws Exception {
        // Only if the environment does not point the launcher elsewhere.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("SHARDWISE_KINESIS_MOCK_HOME") == null);
        System.setProperty("shardwise.cacheDir", cache.toString());
        NodeRuntime node = NodeRuntime.detect();

        Path pkg = KinesisMockInstallation.locate(node);

        Path expected = cache.resolve("kinesis-local-" + KinesisMockInstallation.VERSION);
        assertThat(pkg).isEqualTo(expected.resolve("node_modules/kinesis-local"));
        assertThat(pkg.resolve("main.js")).isRegularFile();
        assertThat(pkg.resolve("server.json")).isRegularFile();
        assertThat(Files.readString(pkg.resolve("package.json")))
                .containsPattern("\"version\"\\s*:\\s*\"" + KinesisMockInstallation.VERSION.replace(".", "\\.") + "\"");
        try (var entries = Files.list(cache)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .as("no staging directory left behind")
                    .noneMatch(name -> name.contains(".tmp-"));
        }

        long modified = Files.getLastModifiedTime(pkg.resolve("main.js")).toMillis();
        assertThat(KinesisMockInstallation.locate(node)).isEqualTo(pkg);
        assertThat(Files.getLastModifiedTime(pkg.resolve("main.js")).toMillis())
                .as("second locate reuses the install")
                .isEqualTo(modified);
    }
}
