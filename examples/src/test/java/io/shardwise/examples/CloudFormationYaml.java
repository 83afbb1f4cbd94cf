package io.shardwise.examples;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a CloudFormation / SAM template with SnakeYAML. The short-form intrinsic functions ({@code !Ref x},
 * {@code !GetAtt A.B}, {@code !Sub ...}, {@code !If [...]}, ...) are local YAML tags that a plain loader rejects;
 * here each becomes its long form, a one-entry map: {@code {Ref: x}}, {@code {Fn::GetAtt: A.B}}, {@code {Fn::Sub: ...}}.
 */
public final class CloudFormationYaml {

    private CloudFormationYaml() {
    }

    /** The template as maps, lists and scalars. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> load(Path template) throws IOException {
        LoaderOptions options = new LoaderOptions();
        try (Reader reader = Files.newBufferedReader(template, StandardCharsets.UTF_8)) {
            return (Map<String, Object>) new Yaml(new IntrinsicsConstructor(options)).load(reader);
        }
    }

    private static final class IntrinsicsConstructor extends SafeConstructor {
        IntrinsicsConstructor(LoaderOptions options) {
            super(options);
            // Every local tag ("!Name") is an intrinsic function.
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String name = node.getTag().getValue().substring(1);
                    String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    return Map.of(key, value);
                }
            });
        }
    }
}
