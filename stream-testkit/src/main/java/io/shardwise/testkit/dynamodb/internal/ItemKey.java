package io.shardwise.testkit.dynamodb.internal;

import io.shardwise.testkit.dynamodb.expression.Numbers;
import java.util.Arrays;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A primary key value (partition key and optional sort key), ordered as DynamoDB orders keys: numbers by value,
 * strings and binaries by their unsigned bytes (UTF-8 for strings). Values are canonical (see {@link Items}), so
 * equal keys compare equal.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html">Query: results are
 *     ordered by sort key value; strings by UTF-8 bytes, numbers numerically</a>
 */
record ItemKey(AttributeValue hash, AttributeValue range) implements Comparable<ItemKey> {

    @Override
    public int compareTo(ItemKey o) {
        int c = compareValues(hash, o.hash);
        if (c != 0) {
            return c;
        }
        if (range == null || o.range == null) {
            // Only a partition's lower bound has no sort key on a table with one: it sorts first.
            return range == null ? (o.range == null ? 0 : -1) : 1;
        }
        return compareValues(range, o.range);
    }

    static int compareValues(AttributeValue a, AttributeValue b) {
        if (a.n() != null && b.n() != null) {
            return Numbers.compare(a.n(), b.n());
        }
        if (a.s() != null && b.s() != null) {
            return compareUtf8(a.s(), b.s());
        }
        if (a.b() != null && b.b() != null) {
            return Arrays.compareUnsigned(a.b().asByteArrayUnsafe(), b.b().asByteArrayUnsafe());
        }
        throw new IllegalArgumentException("Key values of different types: " + a + " and " + b);
    }

    /** Compares as the strings' UTF-8 bytes would compare, which is code point order (not UTF-16 unit order). */
    static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemKey k && compareTo(k) == 0;
    }

    @Override
    public int hashCode() {
        return hash.hashCode() * 31 + (range == null ? 0 : range.hashCode());
    }

}
