package io.shardwise.testkit.internal;

import io.shardwise.testkit.EmulatorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds (or installs) the pinned kinesis-mock npm package.
 *
 * <ol>
 *   <li>{@code -Dshardwise.kinesisMock.home} / {@code SHARDWISE_KINESIS_MOCK_HOME}: a directory where
 *       {@code npm ci} was run on the bundled {@code package.json}; the stream-testkit build sets it for its own
 *       tests ({@code stream-testkit/target/kinesis-mock}). When set, it must hold the package: nothing else is
 *       tried.
 *   <li>The cache directory {@code <cacheDir>/kinesis-local-<version>} (see {@link Settings#cacheDir()}), if a
 *       previous run installed it there.
 *   <li>Otherwise the bundled {@code package.json} and {@code package-lock.json} are copied there and
 *       {@code npm ci --ignore-scripts} installs them (once; a file lock makes concurrent JVMs wait for each
 *       other), unless {@code -Dshardwise.kinesisMock.install=false}.
 * </ol>
 */
final class KinesisMockInstallation {

    private static final Logger LOG = LoggerFactory.getLogger(KinesisMockInstallation.class);

    static final String PACKAGE = "kinesis-local";
    /** Must match the bundled package.json (a unit test checks it). */
    static final String VERSION = "0.6.2";
    static final String RESOURCE_DIR = "/io/shardwise/testkit/internal/kinesis-mock/";
    private static final List<String> BUNDLED_FILES = List.of("package.json", "package-lock.json");
    private static final Pattern VERSION_FIELD = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");
    private static final long NPM_TIMEOUT_SECONDS = 600;

    private KinesisMockInstallation() {}

    /** The installed package directory ({@code .../node_modules/kinesis-local}), installing it if needed. */
    static Path locate(NodeRuntime node) {
        Optional<String> home = Settings.KINESIS_MOCK_HOME.value();
        if (home.isPresent()) {
            Path dir = Path.of(home.get()).toAbsolutePath();
            return installedPackage(dir)
                    .orElseThrow(
                            () ->
                                    new EmulatorException(
                                            Settings.KINESIS_MOCK_HOME.describe() + " is " + dir + ", but "
                                                    + dir.resolve("node_modules").resolve(PACKAGE).resolve("main.js")
                                                    + " (version " + VERSION + ") is not there. Run `npm ci` in that directory on the"
                                                    + " package.json bundled in stream-testkit, or unset it to let the launcher install"
                                                    + " kinesis-mock into " + cacheInstallDir()));
        }
        Path target = cacheInstallDir();
        Optional<Path> cached = installedPackage(target);
        if (cached.isPresent()) {
            return cached.get();
        }
        boolean mayInstall =
                Settings.KINESIS_MOCK_INSTALL.value().map(v -> !v.equalsIgnoreCase("false")).orElse(true);
        if (!mayInstall) {
            throw new EmulatorException(
                    "kinesis-mock " + VERSION + " is not installed in " + target + " and "
                            + Settings.KINESIS_MOCK_INSTALL.describe() + " is false. Set "
                            + Settings.KINESIS_MOCK_HOME.describe() + " to a directory where `npm ci` installed it.");
        }
        return install(node, target);
    }

    static Path cacheInstallDir() {
        return Settings.cacheDir().resolve(PACKAGE + "-" + VERSION).toAbsolutePath();
    }

    /** The package directory under {@code dir}, if the pinned version is fully installed there. */
    static Optional<Path> installedPackage(Path dir) {
        Path pkg = dir.resolve("node_modules").resolve(PACKAGE);
        if (!Files.isRegularFile(pkg.resolve("main.js")) || !Files.isRegularFile(pkg.resolve("package.json"))) {
            return Optional.empty();
        }
        try {
            String json = Files.readString(pkg.resolve("package.json"), StandardCharsets.UTF_8);
            Matcher m = VERSION_FIELD.matcher(json);
            if (m.find() && VERSION.equals(m.group(1))) {
                return Optional.of(pkg);
            }
            LOG.warn("{} holds {} {}, not {}", dir, PACKAGE, m.find(0) ? m.group(1) : "?", VERSION);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path install(NodeRuntime node, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path lockFile = target.getParent().resolve(target.getFileName() + ".lock");
            try (FileChannel channel =
                    FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock(); // released when the channel closes
                LOG.debug("Holding {}", lock);
                Optional<Path> done = installedPackage(target); // another JVM may have installed it meanwhile
                if (done.isPresent()) {
                    return done.get();
                }
                Path staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp-");
                try {
                    for (String file : BUNDLED_FILES) {
                        try (InputStream in = KinesisMockInstallation.class.getResourceAsStream(RESOURCE_DIR + file)) {
                            if (in == null) {
                                throw new EmulatorException("stream-testkit is missing its resource " + RESOURCE_DIR + file);
                            }
                            Files.copy(in, staging.resolve(file));
                        }
                    }
                    // INFO, not DEBUG: on first use this is the one slow step (tens of seconds, from the npm registry)
                    // and a demo or test should say why it waits.
                    LOG.info("First use: installing kinesis-mock ({} {}) into {} with `npm ci` (once; needs the npm "
                            + "registry, usually under a minute)", PACKAGE, VERSION, target);
                    long started = System.nanoTime();
                    List<String> command =
                            List.of(node.npm(), "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error");
                    Commands.Result result;
                    try {
                        result = Commands.run(command, staging, NPM_TIMEOUT_SECONDS, LOG);
                    } catch (IOException e) {
                        throw new EmulatorException(
                                "kinesis-mock must be installed with npm, but `" + node.npm() + "` could not be run ("
                                        + e.getMessage() + "). " + NodeRuntime.installHint(),
                                e);
                    }
                    if (result.exitCode() != 0 || installedPackage(staging).isEmpty()) {
                        throw new EmulatorException(
                                "`npm ci` of kinesis-mock (" + PACKAGE + " " + VERSION + ") in " + staging + " failed (exit "
                                        + result.exitCode() + "); does this machine reach the npm registry? Output:\n"
                                        + result.output());
                    }
                    LOG.info("kinesis-mock installed in {} s", (System.nanoTime() - started) / 1_000_000_000);
                    deleteRecursively(target); // a broken leftover
                    try {
                        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(staging, target);
                    }
                } finally {
                    deleteRecursively(staging);
                }
            }
        } catch (IOException e) {
            throw new EmulatorException("Could not install kinesis-mock into " + target + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmulatorException("Interrupted while installing kinesis-mock", e);
        }
        return installedPackage(target)
                .orElseThrow(() -> new EmulatorException("kinesis-mock was installed into " + target + " but is not there"));
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(
                    dir,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                            Files.delete(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                            Files.delete(d);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + dir, e);
        }
    }
}
