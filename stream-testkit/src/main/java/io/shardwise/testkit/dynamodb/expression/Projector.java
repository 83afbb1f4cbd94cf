package io.shardwise.testkit.dynamodb.expression;

import io.shardwise.testkit.dynamodb.expression.DocumentPath.Element;
import io.shardwise.testkit.dynamodb.expression.DocumentPath.Index;
import io.shardwise.testkit.dynamodb.expression.DocumentPath.Key;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Copies the parts of an item named by document paths ("Projection expressions"): the enclosing maps and lists are
 * kept, holding only the named keys and elements (list elements in index order); a path the item lacks adds nothing.
 */
final class Projector implements ProjectionExpression {
    private final List<DocumentPath> paths;

    Projector(List<DocumentPath> paths) {
        this.paths = List.copyOf(paths);
    }

    @Override
    public Map<String, AttributeValue> project(Map<String, AttributeValue> item) {
        return project(item, paths);
    }

    static Map<String, AttributeValue> project(Map<String, AttributeValue> item, List<DocumentPath> paths) {
        Node root = new Node();
        paths.forEach(p -> root.add(p.elements(), 0));
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        root.children.forEach((element, node) -> {
            AttributeValue value = item.get(((Key) element).name());
            AttributeValue projected = value == null ? null : node.select(value);
            if (projected != null) {
                result.put(((Key) element).name(), projected);
            }
        });
        return result;
    }

    /** The requested paths as a tree; a leaf takes the whole value. */
    private static final class Node {
        final Map<Element, Node> children = new LinkedHashMap<>();
        boolean whole;

        void add(List<Element> elements, int i) {
            if (i == elements.size()) {
                whole = true;
                return;
            }
            children.computeIfAbsent(elements.get(i), e -> new Node()).add(elements, i + 1);
        }

        AttributeValue select(AttributeValue value) {
            if (whole) {
                return value;
            }
            if (value.hasM()) {
                Map<String, AttributeValue> kept = new LinkedHashMap<>();
                children.forEach((element, node) -> {
                    if (element instanceof Key key && value.m().containsKey(key.name())) {
                        AttributeValue selected = node.select(value.m().get(key.name()));
                        if (selected != null) {
                            kept.put(key.name(), selected);
                        }
                    }
                });
                return kept.isEmpty() ? null : AttributeValue.builder().m(kept).build();
            }
            if (value.hasL()) {
                TreeMap<Integer, AttributeValue> kept = new TreeMap<>();
                children.forEach((element, node) -> {
                    if (element instanceof Index index && index.index() < value.l().size()) {
                        AttributeValue selected = node.select(value.l().get(index.index()));
                        if (selected != null) {
                            kept.put(index.index(), selected);
                        }
                    }
                });
                return kept.isEmpty() ? null : AttributeValue.builder().l(new ArrayList<>(kept.values())).build();
            }
            return null;
        }
    }
}
