package io.shardwise.examples.release;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Use it" section and stream-testkit/README.md's handler test, as a user pastes them: every Java
 * block compiles against the published modules (this module's test class path holds them, with the test kit,
 * JUnit and AssertJ), and each block is, byte for byte, a file of the copyable project in examples/quickstart/,
 * whose pom.xml holds the README's dependency block. So neither the README nor the project can drift.
 *
 * <p>The project itself is not built here: it uses the published coordinates, which a reactor {@code verify} does
 * not install. {@code mvn -f examples/quickstart/pom.xml package} after {@code mvn install} builds and tests it.
 */
class ReadmeQuickStartTest {

    static final Path ROOT = Path.of("..");
    static final Path QUICKSTART = ROOT.resolve("examples/quickstart");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```$");
    private static final Pattern TYPE = Pattern.compile("(?m)^public (?:final )?(?:class|record|interface) (\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");

    @Test
    void theUseItSectionsJavaFilesAreTheQuickStartProjectsFiles() throws IOException {
        List<String> java = blocks(useItSection(), "java");
        assertThat(java).as("Java blocks of README.md's 'Use it' section").hasSize(3);
        for (String block : java) {
            assertThat(block).as("the quick start file of this README block")
                    .isEqualTo(read(sourceFile(QUICKSTART.resolve("src/main/java"), block)));
        }
    }

    @Test
    void theUseItSectionsDependencyBlockIsTheQuickStartPomsAndItsLogbackXmlIsTheProjects() throws IOException {
        List<String> xml = blocks(useItSection(), "xml");
        assertThat(xml).as("XML blocks of README.md's 'Use it' section").hasSize(2);
        assertThat(trimmedLines(read(QUICKSTART.resolve("pom.xml")))).containsSubsequence(trimmedLines(xml.get(0)));
        assertThat(String.join("\n", trimmedLines(read(QUICKSTART.resolve("pom.xml")))))
                .as("the README's dependency block, as one piece, in examples/quickstart/pom.xml")
                .contains(String.join("\n", trimmedLines(xml.get(0))));
        assertThat(xml.get(0)).contains("<artifactId>shardwise-bom</artifactId>", "<artifactId>stream-kinesis</artifactId>",
                "<artifactId>sqs</artifactId>", "<artifactId>url-connection-client</artifactId>",
                "<artifactId>logback-classic</artifactId>");
        assertThat(xml.get(1)).isEqualTo(read(QUICKSTART.resolve("src/main/resources/logback.xml")));
        assertThat(xml.get(1)).as("the examples' deployed logback.xml is the recommended one")
                .isEqualTo(read(ROOT.resolve("examples/src/main/resources/logback.xml")));
    }

    @Test
    void theTestkitReadmesHandlerTestIsTheQuickStartsTest() throws IOException {
        String block = testkitReadmeTest();
        assertThat(block).isEqualTo(read(sourceFile(QUICKSTART.resolve("src/test/java"), block)));
    }

    @Test
    void theReadmeCodeCompilesAsPasted(@TempDir Path dir) throws IOException {
        List<Path> sources = new ArrayList<>();
        List<String> blocks = new ArrayList<>(blocks(useItSection(), "java"));
        blocks.add(testkitReadmeTest());
        for (String block : blocks) {
            Path file = sourceFile(dir.resolve("src"), block);
            Files.createDirectories(file.getParent());
            Files.writeString(file, block, StandardCharsets.UTF_8);
            sources.add(file);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean compiled = compiler.getTask(null, files, diagnostics,
                    List.of("--release", "17", "-Xlint:all,-processing,-classfile", "-Werror",
                            "-classpath", System.getProperty("java.class.path"), "-d", classes.toString()),
                    null, files.getJavaFileObjectsFromPaths(sources)).call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                report.append(d).append('\n');
            }
            assertThat(compiled).as("javac on the README's code:\n" + report).isTrue();
        }
        assertThat(classes.resolve("com/example/orders/OrderHandler.class")).exists();
        assertThat(classes.resolve("com/example/orders/OrderHandlerTest.class")).exists();
    }

    /** From "## Use it" to the next level-2 heading. */
    static String useItSection() throws IOException {
        String readme = read(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Use it\n");
        assertThat(start).as("README.md has a '## Use it' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    static String testkitReadmeTest() throws IOException {
        List<String> tests = blocks(read(ROOT.resolve("stream-testkit/README.md")), "java").stream()
                .filter(b -> b.contains("class OrderHandlerTest")).toList();
        assertThat(tests).as("stream-testkit/README.md's OrderHandlerTest block").hasSize(1);
        return tests.get(0);
    }

    static List<String> blocks(String markdown, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            if (m.group(1).equals(language)) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    /** Where a compilation unit lives under {@code root}: its package and its public type. */
    static Path sourceFile(Path root, String unit) {
        Matcher type = TYPE.matcher(unit);
        Matcher pkg = PACKAGE.matcher(unit);
        String typeName = type.find() ? type.group(1) : unit.contains("class OrderHandlerTest") ? "OrderHandlerTest"
                : null;
        assertThat(typeName).as("a top-level type in:\n" + unit).isNotNull();
        Path dir = pkg.find() ? root.resolve(pkg.group(1).replace('.', '/')) : root;
        return dir.resolve(typeName + ".java");
    }

    static List<String> trimmedLines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
