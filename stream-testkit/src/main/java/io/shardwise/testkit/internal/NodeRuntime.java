package io.shardwise.testkit.internal;

import io.shardwise.testkit.EmulatorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Node.js that runs kinesis-mock: found on the PATH (or configured), version checked. */
final class NodeRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    static final int MIN_MAJOR = 18;
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)");

    private final String node;
    private final String npm;
    private final String version;

    private NodeRuntime(String node, String npm, String version) {
        this.node = node;
        this.npm = npm;
        this.version = version;
    }

    String node() {
        return node;
    }

    String npm() {
        return npm;
    }

    String version() {
        return version;
    }

    static String installHint() {
        return "Install Node.js " + MIN_MAJOR + " or newer (with npm) so that `node` is on the PATH"
                + " (e.g. `apt-get install nodejs npm`, `brew install node`, or https://nodejs.org),"
                + " or point " + Settings.NODE.describe() + " at a node executable.";
    }

    /** Finds node and checks its version; throws one {@link EmulatorException} saying what to install. */
    static NodeRuntime detect() {
        boolean windows = Settings.isWindows();
        String node = Settings.NODE.value().orElse(windows ? "node.exe" : "node");
        String output;
        try {
            Commands.Result r = Commands.run(List.of(node, "--version"), null, 30, LOG);
            if (r.exitCode() != 0) {
                throw new EmulatorException(
                        "kinesis-mock needs Node.js, but `" + node + " --version` failed (exit " + r.exitCode() + "): "
                                + r.output().strip() + ". " + installHint());
            }
            output = r.output().strip();
        } catch (IOException e) {
            throw new EmulatorException(
                    "kinesis-mock needs Node.js " + MIN_MAJOR + "+, but `" + node + "` could not be run ("
                            + e.getMessage() + "). " + installHint());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmulatorException("Interrupted while checking the Node.js version", e);
        }
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            throw new EmulatorException(
                    "kinesis-mock needs Node.js, but `" + node + " --version` printed `" + output
                            + "`, which is not a Node.js version. " + installHint());
        }
        int major = Integer.parseInt(m.group(1));
        if (major < MIN_MAJOR) {
            throw new EmulatorException(
                    "kinesis-mock needs Node.js " + MIN_MAJOR + " or newer, but `" + node + "` is " + m.group()
                            + ". " + installHint());
        }
        return new NodeRuntime(node, npmFor(node, windows), m.group());
    }

    /** npm: configured, else next to a configured node, else from the PATH. */
    private static String npmFor(String node, boolean windows) {
        String npmName = windows ? "npm.cmd" : "npm";
        return Settings.NPM.value()
                .orElseGet(
                        () -> {
                            if (Settings.NODE.value().isPresent()) {
                                Path parent = Paths.get(node).toAbsolutePath().getParent();
                                if (parent != null && Files.isRegularFile(parent.resolve(npmName))) {
                                    return parent.resolve(npmName).toString();
                                }
                            }
                            return npmName;
                        });
    }
}
