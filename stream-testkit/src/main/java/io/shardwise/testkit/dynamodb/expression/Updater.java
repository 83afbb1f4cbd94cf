package io.shardwise.testkit.dynamodb.expression;

import io.shardwise.testkit.dynamodb.expression.DocumentPath.Element;
import io.shardwise.testkit.dynamodb.expression.DocumentPath.Index;
import io.shardwise.testkit.dynamodb.expression.DocumentPath.Key;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Applies a parsed update ("Update expressions"). Every right-hand side is read from the item as it was before the
 * update; SET, ADD and DELETE are then written in the order given, and REMOVE last, from the highest list index
 * down, so that {@code REMOVE a[0], a[1]} removes the two elements the item had at those positions.
 */
final class Updater implements UpdateExpression {
    private final List<UpdateAction> actions;

    Updater(List<UpdateAction> actions) {
        this.actions = List.copyOf(actions);
    }

    @Override
    public UpdateResult apply(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> result = new LinkedHashMap<>(item);
        List<DocumentPath> touched = new ArrayList<>();
        List<DocumentPath> removals = new ArrayList<>();
        List<AttributeValue> values = new ArrayList<>();
        for (UpdateAction action : actions) {
            touched.add(action.path());
            if (action instanceof UpdateAction.Remove) {
                removals.add(action.path());
            } else {
                values.add(newValue(action, Paths.get(item, action.path()), item));
            }
        }
        // The paths written, as they land (an append's real index), for UPDATED_NEW; a removed path has no new value.
        List<DocumentPath> written = new ArrayList<>();
        int next = 0;
        for (UpdateAction action : actions) {
            if (action instanceof UpdateAction.Remove) {
                continue;
            }
            AttributeValue value = values.get(next++);
            if (value == null) {
                Paths.remove(result, action.path());
            } else {
                written.add(Paths.set(result, action.path(), value));
            }
        }
        removals.sort(Updater::highestIndexFirst);
        removals.forEach(path -> Paths.remove(result, path));
        return new UpdateResult(result, Projector.project(item, touched), Projector.project(result, written));
    }

    /** The value an action writes, computed from the item before the update; null means "remove the attribute". */
    private static AttributeValue newValue(UpdateAction action, AttributeValue existing, Map<String, AttributeValue> item) {
        if (action instanceof UpdateAction.Set set) {
            return Evaluator.updateOperand(set.value(), item);
        }
        AttributeValue operand = action instanceof UpdateAction.Add add ? add.value().value()
                : ((UpdateAction.Delete) action).value().value();
        if (action instanceof UpdateAction.Add) {
            if (existing == null) {
                return operand;
            }
            if (operand.n() != null && existing.n() != null) {
                return Values.number(Numbers.add(existing.n(), operand.n()));
            }
            return combineSets(existing, operand, true);
        }
        return existing == null ? null : combineSets(existing, operand, false);
    }

    /** Union (ADD) or difference (DELETE) of two sets of one type; an emptied set is removed ("Update expressions"). */
    private static AttributeValue combineSets(AttributeValue existing, AttributeValue operand, boolean union) {
        String type = Values.type(existing);
        if (!type.equals(Values.type(operand)) || !Values.isSet(existing)) {
            throw new DynamoDbValidationException(Evaluator.INCORRECT_DATA_TYPE);
        }
        switch (type) {
            case "SS": {
                Set<String> s = new LinkedHashSet<>(existing.ss());
                apply(s, operand.ss(), union);
                return s.isEmpty() ? null : AttributeValue.builder().ss(s).build();
            }
            case "BS": {
                Set<SdkBytes> s = new LinkedHashSet<>(existing.bs());
                apply(s, operand.bs(), union);
                return s.isEmpty() ? null : AttributeValue.builder().bs(s).build();
            }
            default: {
                List<String> s = new ArrayList<>(existing.ns());
                for (String n : operand.ns()) {
                    if (union && !Values.containsNumber(s, n)) {
                        s.add(n);
                    } else if (!union) {
                        s.removeIf(x -> Numbers.compare(x, n) == 0);
                    }
                }
                return s.isEmpty() ? null : AttributeValue.builder().ns(s).build();
            }
        }
    }

    private static <T> void apply(Set<T> set, List<T> operand, boolean union) {
        if (union) {
            set.addAll(operand);
        } else {
            operand.forEach(set::remove);
        }
    }

    /** Orders paths so that, within one list, a higher index is removed before a lower one. */
    private static int highestIndexFirst(DocumentPath a, DocumentPath b) {
        int common = Math.min(a.elements().size(), b.elements().size());
        for (int i = 0; i < common; i++) {
            Element x = a.elements().get(i);
            Element y = b.elements().get(i);
            if (!x.equals(y)) {
                if (x instanceof Index xi && y instanceof Index yi) {
                    return Integer.compare(yi.index(), xi.index());
                }
                return x instanceof Key xk && y instanceof Key yk ? xk.name().compareTo(yk.name()) : 0;
            }
        }
        return Comparator.<Integer>naturalOrder().compare(b.elements().size(), a.elements().size());
    }

    @Override
    public Set<String> topLevelAttributes() {
        Set<String> names = new LinkedHashSet<>();
        actions.forEach(a -> names.add(a.path().topLevel()));
        return Set.copyOf(names);
    }
}
