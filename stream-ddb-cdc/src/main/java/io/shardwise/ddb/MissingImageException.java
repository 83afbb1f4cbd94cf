package io.shardwise.ddb;

import io.shardwise.core.NonRetryableException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Thrown by a {@link ChangeRecord} accessor when the processor asks for an image (or a comparison of images)
 * that the stream's {@code StreamViewType} does not carry: a new image on a {@code KEYS_ONLY} or
 * {@code OLD_IMAGE} stream, an old image on a {@code KEYS_ONLY} or {@code NEW_IMAGE} stream, changed attributes
 * on anything but {@code NEW_AND_OLD_IMAGES}.
 *
 * <p>Non-retryable: redelivering the record cannot add the image, so a processor that lets it escape has the
 * record parked at once. The message names the record, the view type and the fix (a stream with another view
 * type). It is a configuration error, not bad data: every record of the stream will fail the same way until
 * the stream is replaced or the processor reads only what the stream carries.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public final class MissingImageException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    private final transient StreamViewType streamViewType;

    MissingImageException(String message, StreamViewType streamViewType) {
        super(message);
        this.streamViewType = streamViewType;
    }

    /** The view type of the stream the record came from. */
    public StreamViewType streamViewType() {
        return streamViewType;
    }
}
