package io.shardwise.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KinesisMockInstallationTest {

    private static String resource(String name) throws IOException {
        try (InputStream in =
                KinesisMockInstallationTest.class.getResourceAsStream(KinesisMockInstallation.RESOURCE_DIR + name)) {
            assertThat(in).as("bundled resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theBundledPackagePinsTheVersionTheLauncherExpects() throws IOException {
        String version = KinesisMockInstallation.VERSION;
        assertThat(resource("package.json")).contains("\"kinesis-local\": \"" + version + "\"");
        assertThat(resource("package-lock.json"))
                .contains("\"node_modules/kinesis-local\": {\n      \"version\": \"" + version + "\"")
                .contains("\"integrity\": \"sha512-");
        assertThat(resource("loopback-preload.js")).contains("net.Server.prototype.listen");
    }

    @Test
    void anInstallIsRecognisedOnlyWithTheRightVersion(@TempDir Path dir) throws IOException {
        assertThat(KinesisMockInstallation.installedPackage(dir)).isEmpty();
        Path pkg = Files.createDirectories(dir.resolve("node_modules/kinesis-local"));
        Files.writeString(pkg.resolve("main.js"), "");
        Files.writeString(pkg.resolve("package.json"), "{ \"name\": \"kinesis-local\", \"version\": \"0.0.1\" }");
        assertThat(KinesisMockInstallation.installedPackage(dir)).isEmpty();
        Files.writeString(
                pkg.resolve("package.json"),
                "{ \"name\": \"kinesis-local\", \"version\": \"" + KinesisMockInstallation.VERSION + "\" }");
        assertThat(KinesisMockInstallation.installedPackage(dir)).contains(pkg);
    }
}
