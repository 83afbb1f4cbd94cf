package io.shardwise.testkit.dynamodb.expression;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A document path ("Specifying item attributes when using expressions"): a top-level attribute name followed by map
 * keys ({@code .name}) and list indexes ({@code [n]}), names already resolved from their {@code #aliases}.
 */
record DocumentPath(List<Element> elements) {
    DocumentPath {
        elements = List.copyOf(elements);
    }

    sealed interface Element permits Key, Index {
    }

    /** A map key (or, first in the path, the top-level attribute name). */
    record Key(String name) implements Element {
    }

    /** A list index. */
    record Index(int index) implements Element {
    }

    String topLevel() {
        return ((Key) elements.get(0)).name();
    }

    boolean isTopLevel() {
        return elements.size() == 1;
    }

    /** True when one path is a prefix of the other (or equal): AWS's "Two document paths overlap". */
    boolean overlaps(DocumentPath other) {
        int common = Math.min(elements.size(), other.elements.size());
        return elements.subList(0, common).equals(other.elements.subList(0, common));
    }

    /**
     * True when the paths agree up to a step where one goes into a map and the other into a list: AWS's "Two document
     * paths conflict" (the same node cannot be both).
     */
    boolean conflicts(DocumentPath other) {
        int common = Math.min(elements.size(), other.elements.size());
        for (int i = 0; i < common; i++) {
            Element a = elements.get(i);
            Element b = other.elements.get(i);
            if (!a.equals(b)) {
                return a.getClass() != b.getClass();
            }
        }
        return false;
    }

    /** AWS's rendering in overlap messages: {@code [a, b, [0]]}. */
    @Override
    public String toString() {
        return elements.stream()
                .map(e -> e instanceof Key k ? k.name() : "[" + ((Index) e).index() + "]")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
