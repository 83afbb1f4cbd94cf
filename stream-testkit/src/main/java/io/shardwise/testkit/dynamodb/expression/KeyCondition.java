package io.shardwise.testkit.dynamodb.expression;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A key condition ("Key condition expressions for the Query operation"): {@code pk = :v}, optionally {@code AND} one
 * of {@code = < <= > >= BETWEEN begins_with} on the sort key. The shape is checked when parsed, the key names by
 * {@link #validate}.
 */
final class KeyCondition implements KeyConditionExpression {
    private static final String PREFIX = "Invalid KeyConditionExpression: ";

    /** One condition on one key attribute. */
    private record Part(String attribute, Condition condition) {
    }

    private final List<Part> parts;
    private Part hash;
    private Part range;

    KeyCondition(Condition condition) {
        List<Condition> conditions = new ArrayList<>();
        flatten(condition, conditions);
        if (conditions.size() > 2) {
            throw new DynamoDbValidationException("Conditions can be of length 1 or 2 only");
        }
        List<Part> found = new ArrayList<>();
        for (Condition c : conditions) {
            Part part = new Part(attribute(c), c);
            if (found.stream().anyMatch(p -> p.attribute().equals(part.attribute()))) {
                throw new DynamoDbValidationException(
                        PREFIX + "KeyConditionExpressions must only contain one condition per key");
            }
            found.add(part);
        }
        this.parts = List.copyOf(found);
    }

    private static void flatten(Condition c, List<Condition> out) {
        if (c instanceof Condition.And and) {
            flatten(and.left(), out);
            flatten(and.right(), out);
        } else if (c instanceof Condition.Or) {
            throw unsupported("OR");
        } else if (c instanceof Condition.Not) {
            throw unsupported("NOT");
        } else if (c instanceof Condition.In) {
            throw unsupported("IN");
        } else if (c instanceof Condition.Compare cmp && cmp.comparator() == Condition.Comparator.NE) {
            throw unsupported("<>");
        } else if (c instanceof Condition.Exists) {
            throw unsupported("attribute_exists");
        } else if (c instanceof Condition.NotExists) {
            throw unsupported("attribute_not_exists");
        } else if (c instanceof Condition.AttributeType) {
            throw unsupported("attribute_type");
        } else if (c instanceof Condition.Contains) {
            throw unsupported("contains");
        } else {
            out.add(c);
        }
    }

    private static DynamoDbValidationException unsupported(String operator) {
        return new DynamoDbValidationException(PREFIX + "Invalid operator used in KeyConditionExpression: " + operator);
    }

    /** The one key attribute a condition constrains; the other operands must be values. */
    private static String attribute(Condition c) {
        List<Operand> operands = new ArrayList<>();
        if (c instanceof Condition.Compare cmp) {
            operands.add(cmp.left());
            operands.add(cmp.right());
        } else if (c instanceof Condition.Between b) {
            operands.add(b.value());
            operands.add(b.lower());
            operands.add(b.upper());
        } else {
            Condition.BeginsWith b = (Condition.BeginsWith) c;
            operands.add(b.value());
            operands.add(b.prefix());
            if (b.prefix() instanceof Operand.Value v && !"S".equals(Values.type(v.value()))
                    && !"B".equals(Values.type(v.value()))) {
                throw new DynamoDbValidationException(PREFIX + Parser.incorrectOperandType("begins_with", Values.type(v.value())));
            }
        }
        List<DocumentPath> paths = new ArrayList<>();
        for (Operand o : operands) {
            if (o instanceof Operand.Path p) {
                paths.add(p.path());
            } else if (o instanceof Operand.Size) {
                throw unsupported("size");
            }
        }
        if (paths.size() > 1) {
            throw new DynamoDbValidationException(PREFIX
                    + "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
        }
        if (paths.isEmpty()) {
            throw new DynamoDbValidationException(PREFIX
                    + "Invalid condition in KeyConditionExpression: No key attribute specified");
        }
        if (!paths.get(0).isTopLevel()) {
            throw new DynamoDbValidationException(PREFIX
                    + "KeyConditionExpressions cannot have conditions on nested attributes");
        }
        return paths.get(0).topLevel();
    }

    @Override
    public void validate(String hashKeyName, String rangeKeyNameOrNull) {
        Part h = parts.stream().filter(p -> p.attribute().equals(hashKeyName)).findFirst().orElse(null);
        if (h == null) {
            throw new DynamoDbValidationException("Query condition missed key schema element: " + hashKeyName);
        }
        if (!(h.condition() instanceof Condition.Compare cmp) || cmp.comparator() != Condition.Comparator.EQ) {
            throw new DynamoDbValidationException("Query key condition not supported");
        }
        Part r = parts.stream().filter(p -> p != h).findFirst().orElse(null);
        if (r != null && rangeKeyNameOrNull == null) {
            throw new DynamoDbValidationException(
                    "The number of query conditions (2) exceeds the number of key attributes defined in the schema (1)");
        }
        if (r != null && !r.attribute().equals(rangeKeyNameOrNull)) {
            throw new DynamoDbValidationException("Query condition missed key schema element: " + rangeKeyNameOrNull);
        }
        this.hash = h;
        this.range = r;
    }

    private Part validated() {
        if (hash == null) {
            throw new IllegalStateException("validate(hashKeyName, rangeKeyName) must be called first");
        }
        return hash;
    }

    @Override
    public String hashAttribute() {
        return validated().attribute();
    }

    @Override
    public AttributeValue hashValue() {
        Condition.Compare cmp = (Condition.Compare) validated().condition();
        return ((Operand.Value) (cmp.left() instanceof Operand.Value ? cmp.left() : cmp.right())).value();
    }

    @Override
    public boolean matchesRange(Map<String, AttributeValue> item) {
        validated();
        return range == null || Evaluator.evaluate(range.condition(), item);
    }
}
