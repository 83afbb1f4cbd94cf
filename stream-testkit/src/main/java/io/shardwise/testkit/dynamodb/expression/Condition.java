package io.shardwise.testkit.dynamodb.expression;

import java.util.List;

/** A parsed condition ("Condition and filter expressions, operators, and functions"). */
sealed interface Condition {
    enum Comparator {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Comparator(String symbol) {
            this.symbol = symbol;
        }
    }

    record Compare(Operand left, Comparator comparator, Operand right) implements Condition {
    }

    record Between(Operand value, Operand lower, Operand upper) implements Condition {
    }

    record In(Operand value, List<Operand> candidates) implements Condition {
        public In {
            candidates = List.copyOf(candidates);
        }
    }

    record And(Condition left, Condition right) implements Condition {
    }

    record Or(Condition left, Condition right) implements Condition {
    }

    record Not(Condition condition) implements Condition {
    }

    record Exists(DocumentPath path) implements Condition {
    }

    record NotExists(DocumentPath path) implements Condition {
    }

    record AttributeType(DocumentPath path, Operand type) implements Condition {
    }

    record BeginsWith(Operand value, Operand prefix) implements Condition {
    }

    record Contains(Operand value, Operand part) implements Condition {
    }
}
