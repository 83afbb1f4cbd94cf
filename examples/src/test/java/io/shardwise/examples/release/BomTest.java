package io.shardwise.examples.release;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * shardwise-bom is standalone (it must not hand users the build's own versions), so nothing but this test keeps it
 * in step with the root pom: the same published modules, the same SDK and Jackson versions, the same SDK artifacts
 * without their Netty and Apache HTTP clients.
 */
class BomTest {

    static final Path ROOT = Path.of("..");
    /** The BOM itself is published but does not manage itself. */
    private static final String BOM = "shardwise-bom";

    @Test
    void theBomManagesEveryPublishedModule() throws Exception {
        Document root = parse(ROOT.resolve("pom.xml"));
        List<String> published = new ArrayList<>();
        for (Element module : children(first(root.getDocumentElement(), "modules"), "module")) {
            String name = module.getTextContent().trim();
            if (!name.equals(BOM) && !deploySkipped(parse(ROOT.resolve(name).resolve("pom.xml")))) {
                published.add(name);
            }
        }
        Map<String, Element> managed = managed(parse(ROOT.resolve("shardwise-bom/pom.xml")));
        assertThat(published).isNotEmpty();
        for (String module : published) {
            assertThat(managed).as("shardwise-bom manages io.shardwise:" + module).containsKey("io.shardwise:" + module);
        }
        assertThat(managed.keySet().stream().filter(k -> k.startsWith("io.shardwise:")))
                .containsExactlyInAnyOrderElementsOf(published.stream().map(m -> "io.shardwise:" + m).toList());
    }

    @Test
    void theBomsVersionsAreTheBuildsVersions() throws Exception {
        Element rootProperties = first(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "properties");
        Element bomProperties = first(parse(ROOT.resolve("shardwise-bom/pom.xml")).getDocumentElement(),
                "properties");
        assertThat(text(bomProperties, "shardwise.aws.sdk.version")).isEqualTo(text(rootProperties, "aws.sdk.version"));
        assertThat(text(bomProperties, "shardwise.jackson.version")).isEqualTo(text(rootProperties, "jackson.version"));
        assertThat(text(bomProperties, "shardwise.slf4j.version")).isEqualTo(text(rootProperties, "slf4j.version"));
    }

    /**
     * slf4j-api at the version stream-core is built with: a logging backend a user declares (logback-classic 1.5.12
     * asks for 2.0.15) is nearer than stream-core's own dependency and would otherwise win.
     */
    @Test
    void theBomManagesSlf4jApi() throws Exception {
        Element slf4j = managed(parse(ROOT.resolve("shardwise-bom/pom.xml"))).get("org.slf4j:slf4j-api");
        assertThat(slf4j).as("shardwise-bom manages org.slf4j:slf4j-api").isNotNull();
        assertThat(text(slf4j, "version")).isEqualTo("${shardwise.slf4j.version}");
    }

    @Test
    void theSdkArtifactsComeWithoutNettyAndTheApacheClientInBothPoms() throws Exception {
        Map<String, Element> bom = managed(parse(ROOT.resolve("shardwise-bom/pom.xml")));
        Map<String, Element> build = managed(parse(ROOT.resolve("pom.xml")));
        List<String> services = List.of("dynamodb", "dynamodb-enhanced", "sqs", "s3", "kinesis");
        for (String service : services) {
            String key = "software.amazon.awssdk:" + service;
            assertThat(exclusions(bom.get(key))).as("shardwise-bom " + key)
                    .containsExactly("software.amazon.awssdk:netty-nio-client", "software.amazon.awssdk:apache-client");
            assertThat(exclusions(build.get(key))).as("root pom " + key)
                    .containsExactly("software.amazon.awssdk:netty-nio-client", "software.amazon.awssdk:apache-client");
        }
    }

    /** A module is published unless its pom sets {@code maven.deploy.skip} (examples, benchmarks, tools, ...). */
    static boolean deploySkipped(Document pom) {
        Element properties = first(pom.getDocumentElement(), "properties");
        return properties != null && "true".equals(text(properties, "maven.deploy.skip"));
    }

    static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    /** groupId:artifactId → the dependency element, of the project's own dependencyManagement. */
    static Map<String, Element> managed(Document pom) {
        Element dependencies = first(first(pom.getDocumentElement(), "dependencyManagement"), "dependencies");
        Map<String, Element> out = new TreeMap<>();
        for (Element d : children(dependencies, "dependency")) {
            out.put(text(d, "groupId") + ":" + text(d, "artifactId"), d);
        }
        return out;
    }

    private static List<String> exclusions(Element dependency) {
        assertThat(dependency).as("managed dependency").isNotNull();
        Element exclusions = first(dependency, "exclusions");
        return exclusions == null ? List.of() : children(exclusions, "exclusion").stream()
                .map(e -> text(e, "groupId") + ":" + text(e, "artifactId")).toList();
    }

    static String text(Element parent, String name) {
        Element e = first(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    static Element first(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }
}
