package io.shardwise.core;

import java.util.List;
import java.util.Objects;

/**
 * Decides whether a record's failure is worth retrying (redelivery, up to the attempt budget) or is bad data to
 * be parked at once.
 *
 * <p>{@link #DEFAULT} rules, checked on the exception and each of its causes:
 * <ul>
 *   <li>a {@link StreamProcessingException} answers for itself ({@link NonRetryableException} is not retried);</li>
 *   <li>Jackson's {@code JsonProcessingException} (malformed or wrongly shaped JSON) is not retried;</li>
 *   <li>Bean Validation's {@code ConstraintViolationException} (javax or jakarta) is not retried;</li>
 *   <li>everything else is retried.</li>
 * </ul>
 * Implementations must be thread-safe and must not throw.
 */
@FunctionalInterface
public interface ExceptionClassifier {

    /** The documented default rules above. */
    ExceptionClassifier DEFAULT = ExceptionClassifier::defaultIsRetryable;

    /** Whether a record that failed with {@code error} should be retried. */
    boolean isRetryable(Throwable error);

    /**
     * This classifier, except that the given types (and their subclasses, anywhere in the cause chain) are
     * never retried.
     */
    default ExceptionClassifier withNonRetryable(List<Class<? extends Throwable>> types) {
        List<Class<? extends Throwable>> copy = List.copyOf(types);
        ExceptionClassifier base = this;
        return error -> {
            for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
                for (Class<? extends Throwable> type : copy) {
                    if (type.isInstance(t)) {
                        return false;
                    }
                }
            }
            return base.isRetryable(error);
        };
    }

    private static boolean defaultIsRetryable(Throwable error) {
        Objects.requireNonNull(error, "error");
        int depth = 0;
        for (Throwable t = error; t != null && depth < 32; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof StreamProcessingException spe) {
                return spe.isRetryable();
            }
            String name = t.getClass().getName();
            if (isA(t, "com.fasterxml.jackson.core.JsonProcessingException")
                    || name.equals("javax.validation.ConstraintViolationException")
                    || name.equals("jakarta.validation.ConstraintViolationException")) {
                return false;
            }
        }
        return true;
    }

    // By name, so that the classifier works whatever Jackson a user has (or none).
    private static boolean isA(Throwable t, String className) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(className)) {
                return true;
            }
        }
        return false;
    }
}
