package io.shardwise.testkit.dynamodb.expression;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Evaluates conditions and operands against an item ("Comparison operator and function reference"). A condition never
 * fails on the item's data: a missing attribute or a value of another type makes the comparison false (and
 * {@code <>} true). Operands of an update do fail, with AWS's runtime messages.
 */
final class Evaluator {
    static final String INCORRECT_DATA_TYPE = "An operand in the update expression has an incorrect data type";
    static final String MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item";

    private Evaluator() {
    }

    static boolean evaluate(Condition condition, Map<String, AttributeValue> item) {
        if (condition instanceof Condition.And and) {
            return evaluate(and.left(), item) && evaluate(and.right(), item);
        }
        if (condition instanceof Condition.Or or) {
            return evaluate(or.left(), item) || evaluate(or.right(), item);
        }
        if (condition instanceof Condition.Not not) {
            return !evaluate(not.condition(), item);
        }
        if (condition instanceof Condition.Compare c) {
            return compare(operand(c.left(), item), c.comparator(), operand(c.right(), item));
        }
        if (condition instanceof Condition.Between b) {
            AttributeValue v = operand(b.value(), item);
            return compare(v, Condition.Comparator.GE, operand(b.lower(), item))
                    && compare(v, Condition.Comparator.LE, operand(b.upper(), item));
        }
        if (condition instanceof Condition.In in) {
            AttributeValue v = operand(in.value(), item);
            return in.candidates().stream().anyMatch(c -> Values.equal(v, operand(c, item)));
        }
        if (condition instanceof Condition.Exists e) {
            return Paths.get(item, e.path()) != null;
        }
        if (condition instanceof Condition.NotExists e) {
            return Paths.get(item, e.path()) == null;
        }
        if (condition instanceof Condition.AttributeType t) {
            AttributeValue v = Paths.get(item, t.path());
            AttributeValue type = operand(t.type(), item);
            return v != null && type != null && type.s() != null && Values.type(v).equals(type.s());
        }
        if (condition instanceof Condition.BeginsWith b) {
            return beginsWith(operand(b.value(), item), operand(b.prefix(), item));
        }
        Condition.Contains c = (Condition.Contains) condition;
        return contains(operand(c.value(), item), operand(c.part(), item));
    }

    private static boolean compare(AttributeValue left, Condition.Comparator comparator, AttributeValue right) {
        switch (comparator) {
            case EQ:
                return Values.equal(left, right);
            case NE:
                return !Values.equal(left, right);
            default:
                if (!Values.comparable(left, right)) {
                    return false;
                }
                int order = Values.compare(left, right);
                return switch (comparator) {
                    case LT -> order < 0;
                    case LE -> order <= 0;
                    case GT -> order > 0;
                    default -> order >= 0;
                };
        }
    }

    private static boolean beginsWith(AttributeValue value, AttributeValue prefix) {
        if (value == null || prefix == null) {
            return false;
        }
        if (value.s() != null && prefix.s() != null) {
            return value.s().startsWith(prefix.s());
        }
        if (value.b() != null && prefix.b() != null) {
            return Values.startsWith(Values.bytes(value.b()), Values.bytes(prefix.b()));
        }
        return false;
    }

    private static boolean contains(AttributeValue value, AttributeValue part) {
        if (value == null || part == null) {
            return false;
        }
        if (value.s() != null) {
            return part.s() != null && value.s().contains(part.s());
        }
        if (value.b() != null) {
            return part.b() != null && Values.containsBytes(Values.bytes(value.b()), Values.bytes(part.b()));
        }
        if (value.hasSs()) {
            return part.s() != null && value.ss().contains(part.s());
        }
        if (value.hasNs()) {
            return part.n() != null && Values.containsNumber(value.ns(), part.n());
        }
        if (value.hasBs()) {
            return part.b() != null && value.bs().contains(part.b());
        }
        if (value.hasL()) {
            return value.l().stream().anyMatch(element -> Values.equal(element, part));
        }
        return false;
    }

    /** An operand's value in a condition: null when it refers to nothing. */
    static AttributeValue operand(Operand operand, Map<String, AttributeValue> item) {
        if (operand instanceof Operand.Path p) {
            return Paths.get(item, p.path());
        }
        if (operand instanceof Operand.Size s) {
            return size(Paths.get(item, s.path()));
        }
        return updateOperand(operand, item);
    }

    /** An operand's value on the right of SET: every path must exist and every type fit, or the update fails. */
    static AttributeValue updateOperand(Operand operand, Map<String, AttributeValue> item) {
        if (operand instanceof Operand.Path p) {
            return required(Paths.get(item, p.path()));
        }
        if (operand instanceof Operand.Value v) {
            return v.value();
        }
        if (operand instanceof Operand.Size s) {
            return required(size(Paths.get(item, s.path())));
        }
        if (operand instanceof Operand.IfNotExists f) {
            AttributeValue existing = Paths.get(item, f.path());
            return existing != null ? existing : updateOperand(f.fallback(), item);
        }
        if (operand instanceof Operand.ListAppend a) {
            AttributeValue first = updateOperand(a.first(), item);
            AttributeValue second = updateOperand(a.second(), item);
            if (!first.hasL() || !second.hasL()) {
                throw new DynamoDbValidationException(INCORRECT_DATA_TYPE);
            }
            List<AttributeValue> joined = new ArrayList<>(first.l());
            joined.addAll(second.l());
            return AttributeValue.builder().l(joined).build();
        }
        Operand.Arithmetic a = (Operand.Arithmetic) operand;
        AttributeValue left = updateOperand(a.left(), item);
        AttributeValue right = updateOperand(a.right(), item);
        if (left.n() == null || right.n() == null) {
            throw new DynamoDbValidationException(INCORRECT_DATA_TYPE);
        }
        return Values.number(a.plus() ? Numbers.add(left.n(), right.n()) : Numbers.subtract(left.n(), right.n()));
    }

    private static AttributeValue required(AttributeValue value) {
        if (value == null) {
            throw new DynamoDbValidationException(MISSING_ATTRIBUTE);
        }
        return value;
    }

    /**
     * {@code size(path)}: UTF-16 code units of a string, bytes of a binary, elements of a set, list or map; no value for
     * other types, so a comparison with it is false.
     */
    static AttributeValue size(AttributeValue v) {
        if (v == null) {
            return null;
        }
        Integer size = switch (Values.type(v)) {
            case "S" -> v.s().length(); // UTF-16 code units, as AWS counts (a surrogate pair is 2)
            case "B" -> v.b().asByteArrayUnsafe().length;
            case "SS" -> v.ss().size();
            case "NS" -> v.ns().size();
            case "BS" -> v.bs().size();
            case "L" -> v.l().size();
            case "M" -> v.m().size();
            default -> null;
        };
        return size == null ? null : Values.number(Integer.toString(size));
    }
}
