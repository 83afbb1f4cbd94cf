package io.shardwise.tools;

import picocli.CommandLine;

/**
 * {@code s3://bucket/prefix}, as given on the command line.
 *
 * @param bucket the bucket
 * @param prefix the key prefix, possibly empty
 */
public record S3Location(String bucket, String prefix) {

    /**
     * Reads {@code s3://bucket[/prefix]}.
     *
     * @throws IllegalArgumentException when it does not have that shape
     */
    public static S3Location parse(String uri) {
        if (!uri.startsWith("s3://") || uri.length() == "s3://".length()) {
            throw new IllegalArgumentException("wants s3://bucket/prefix, got " + uri);
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("wants s3://bucket/prefix, got " + uri);
        }
        return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }

    /** picocli's converter: a bad value is a usage error (exit code 2) naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<S3Location> {
        @Override
        public S3Location convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
