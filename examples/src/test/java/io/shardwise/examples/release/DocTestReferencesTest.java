package io.shardwise.examples.release;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/engine.md and docs/dedup.md back each guarantee with the tests that pin it, written
 * {@code `[ClassName.methodPrefix…, otherMethodPrefix…]`}. A renamed or deleted test would leave a statement with
 * nothing behind it; this test keeps every such reference pointing at a test class, and each method prefix at a
 * method of it, somewhere in the repository's test sources.
 */
class DocTestReferencesTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> DOCS = List.of("docs/engine.md", "docs/dedup.md");
    private static final Pattern REFERENCE = Pattern.compile("`\\[([A-Z][^\\]`]*)\\]`");

    @Test
    void everyTestTheDocsNameExists() throws IOException {
        Map<String, String> tests = testSources();
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String doc : DOCS) {
            Matcher m = REFERENCE.matcher(Files.readString(ROOT.resolve(doc)));
            while (m.find()) {
                String cls = null;
                for (String part : m.group(1).split(",\\s*")) {
                    String ref = part.replace("…", "").trim();
                    String method = ref;
                    int dot = ref.indexOf('.');
                    if (Character.isUpperCase(ref.charAt(0))) {
                        cls = dot < 0 ? ref : ref.substring(0, dot);
                        method = dot < 0 ? null : ref.substring(dot + 1);
                    }
                    checked++;
                    String source = cls == null ? null : tests.get(cls);
                    if (source == null) {
                        missing.add(doc + ": no test class " + cls + " (in `[" + m.group(1) + "]`)");
                    } else if (method != null && !Pattern.compile("void\\s+" + Pattern.quote(method) + "\\w*\\s*\\(")
                            .matcher(source).find()) {
                        missing.add(doc + ": no method " + cls + "." + method + "… (in `[" + m.group(1) + "]`)");
                    }
                }
            }
        }
        assertThat(checked).as("references found in " + DOCS).isGreaterThan(30);
        assertThat(missing).as("test references in the docs that point at nothing").isEmpty();
    }

    /** Simple class name → source, of every file under a {@code src/test/java} of the repository. */
    private static Map<String, String> testSources() throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().replace('\\', '/').contains("/src/test/java/"))
                    .filter(f -> !f.toString().replace('\\', '/').contains("/target/"))
                    .toList()) {
                String name = p.getFileName().toString().replace(".java", "");
                out.merge(name, Files.readString(p), (a, b) -> a + "\n" + b);
            }
        }
        return out;
    }
}
