package io.shardwise.testkit.dynamodb.expression;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What an expression computes a value from ("Comparison operator and function reference", "Update expressions"). */
sealed interface Operand {
    /** An attribute of the item, read at evaluation time. */
    record Path(DocumentPath path) implements Operand {
    }

    /** An expression attribute value ({@code :v}). */
    record Value(String alias, AttributeValue value) implements Operand {
    }

    /** {@code size(path)}: a number, or no value when the attribute is missing or has no size. */
    record Size(DocumentPath path) implements Operand {
    }

    /** {@code if_not_exists(path, fallback)} (SET only). */
    record IfNotExists(DocumentPath path, Operand fallback) implements Operand {
    }

    /** {@code list_append(first, second)} (SET only). */
    record ListAppend(Operand first, Operand second) implements Operand {
    }

    /** {@code left + right} or {@code left - right} (SET only). */
    record Arithmetic(Operand left, boolean plus, Operand right) implements Operand {
    }
}
