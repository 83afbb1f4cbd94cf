package io.shardwise.testkit.dynamodb.internal;

import java.math.BigInteger;

/**
 * The engine's stream sequence numbers: one increasing counter for every stream, rendered as AWS renders them, a
 * decimal string of 21 digits or more (the API reference allows 21 to 40) that readers compare as numbers.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html">
 *     StreamRecord: SequenceNumber, length 21 to 40</a>
 */
final class SequenceNumbers {

    /** The gap between two consecutive numbers: AWS's are not consecutive either, so no reader should expect it. */
    private static final BigInteger STEP = BigInteger.valueOf(100);

    private BigInteger next = BigInteger.TEN.pow(20).add(BigInteger.valueOf(100));

    synchronized BigInteger next() {
        BigInteger n = next;
        next = next.add(STEP);
        return n;
    }

    /** The number the next record will get. */
    synchronized BigInteger peek() {
        return next;
    }
}
