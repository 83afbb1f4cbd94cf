package io.shardwise.testkit.dynamodb.expression;

import io.shardwise.testkit.dynamodb.expression.DocumentPath.Element;
import io.shardwise.testkit.dynamodb.expression.DocumentPath.Index;
import io.shardwise.testkit.dynamodb.expression.DocumentPath.Key;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reading and copy-on-write writing of document paths in an item. Items and {@link AttributeValue}s are never
 * mutated: a write copies the maps and lists along the path and shares the rest.
 */
final class Paths {
    static final String INVALID_FOR_UPDATE = "The document path provided in the update expression is invalid for update";

    private Paths() {
    }

    /** The value at {@code path}, or null when any step is missing or of the wrong type. */
    static AttributeValue get(Map<String, AttributeValue> item, DocumentPath path) {
        List<Element> elements = path.elements();
        AttributeValue current = item.get(path.topLevel());
        for (int i = 1; i < elements.size() && current != null; i++) {
            current = child(current, elements.get(i));
        }
        return current;
    }

    private static AttributeValue child(AttributeValue container, Element element) {
        if (element instanceof Key key) {
            return container.hasM() ? container.m().get(key.name()) : null;
        }
        int index = ((Index) element).index();
        return container.hasL() && index < container.l().size() ? container.l().get(index) : null;
    }

    /**
     * Writes {@code value} at {@code path}. The parent must exist and be a map (for a key) or a list (for an index); an
     * index at or past the end of the list appends ("Update expressions", Adding elements to a list).
     *
     * @return the path the value was written at (an appending index replaced by the element's actual position)
     */
    static DocumentPath set(Map<String, AttributeValue> item, DocumentPath path, AttributeValue value) {
        if (path.isTopLevel()) {
            item.put(path.topLevel(), value);
            return path;
        }
        AttributeValue root = item.get(path.topLevel());
        if (root == null) {
            throw new DynamoDbValidationException(INVALID_FOR_UPDATE);
        }
        List<Element> written = new ArrayList<>(path.elements());
        item.put(path.topLevel(), setIn(root, written, 1, value));
        return new DocumentPath(written);
    }

    /** Writes below {@code container}; an appending index in {@code elements} is replaced by where the value landed. */
    private static AttributeValue setIn(AttributeValue container, List<Element> elements, int i, AttributeValue value) {
        Element element = elements.get(i);
        boolean last = i == elements.size() - 1;
        if (element instanceof Key key) {
            if (!container.hasM()) {
                throw new DynamoDbValidationException(INVALID_FOR_UPDATE);
            }
            Map<String, AttributeValue> copy = new LinkedHashMap<>(container.m());
            AttributeValue replacement = last ? value : setIn(existing(copy.get(key.name())), elements, i + 1, value);
            copy.put(key.name(), replacement);
            return AttributeValue.builder().m(copy).build();
        }
        if (!container.hasL()) {
            throw new DynamoDbValidationException(INVALID_FOR_UPDATE);
        }
        int index = ((Index) element).index();
        List<AttributeValue> copy = new ArrayList<>(container.l());
        if (last) {
            if (index < copy.size()) {
                copy.set(index, value);
            } else {
                elements.set(i, new Index(copy.size()));
                copy.add(value);
            }
        } else {
            AttributeValue child = existing(index < copy.size() ? copy.get(index) : null);
            copy.set(index, setIn(child, elements, i + 1, value));
        }
        return AttributeValue.builder().l(copy).build();
    }

    private static AttributeValue existing(AttributeValue child) {
        if (child == null) {
            throw new DynamoDbValidationException(INVALID_FOR_UPDATE);
        }
        return child;
    }

    /** Removes {@code path}; a missing attribute or element is left alone, as DynamoDB's REMOVE does. */
    static void remove(Map<String, AttributeValue> item, DocumentPath path) {
        if (path.isTopLevel()) {
            item.remove(path.topLevel());
            return;
        }
        AttributeValue root = item.get(path.topLevel());
        if (root != null) {
            item.put(path.topLevel(), removeIn(root, path.elements(), 1));
        }
    }

    private static AttributeValue removeIn(AttributeValue container, List<Element> elements, int i) {
        Element element = elements.get(i);
        boolean last = i == elements.size() - 1;
        if (element instanceof Key key) {
            if (!container.hasM()) {
                throw new DynamoDbValidationException(INVALID_FOR_UPDATE);
            }
            AttributeValue child = container.m().get(key.name());
            if (child == null) {
                return container;
            }
            Map<String, AttributeValue> copy = new LinkedHashMap<>(container.m());
            if (last) {
                copy.remove(key.name());
            } else {
                copy.put(key.name(), removeIn(child, elements, i + 1));
            }
            return AttributeValue.builder().m(copy).build();
        }
        if (!container.hasL()) {
            throw new DynamoDbValidationException(INVALID_FOR_UPDATE);
        }
        int index = ((Index) element).index();
        if (index >= container.l().size()) {
            return container;
        }
        List<AttributeValue> copy = new ArrayList<>(container.l());
        if (last) {
            copy.remove(index);
        } else {
            copy.set(index, removeIn(copy.get(index), elements, i + 1));
        }
        return AttributeValue.builder().l(copy).build();
    }
}
