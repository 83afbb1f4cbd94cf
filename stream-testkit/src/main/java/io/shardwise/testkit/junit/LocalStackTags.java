package io.shardwise.testkit.junit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which LocalStack images start without an auth token. On 2026-03-23 LocalStack merged its community image into
 * one image that exits at start-up (code 55) without {@code LOCALSTACK_AUTH_TOKEN}: {@code latest}, {@code stable}
 * and every calendar-versioned tag from {@code 2026.03.0} on. The semantic-versioned tags before it (4.x and older)
 * are the community image and need none.
 */
final class LocalStackTags {

    static final String IMAGE = "localstack/localstack";
    /** The tag the testkit pins: a community image, no token needed. */
    static final String DEFAULT_TAG = "4.7.0";
    static final String TOKEN_VARIABLE = "LOCALSTACK_AUTH_TOKEN";

    private static final Pattern CALENDAR_VERSION = Pattern.compile("(\\d{4})\\.(\\d{1,2})(\\..*)?");

    private LocalStackTags() {
    }

    /** Whether an image with this tag starts only with an auth token. */
    static boolean needsAuthToken(String tag) {
        if (tag.equals("latest") || tag.equals("stable")) {
            return true;
        }
        Matcher calendar = CALENDAR_VERSION.matcher(tag);
        if (calendar.matches()) {
            int year = Integer.parseInt(calendar.group(1));
            int month = Integer.parseInt(calendar.group(2));
            return year > 2026 || (year == 2026 && month >= 3);
        }
        return false;
    }

    /** Why a container of this tag cannot start with this token (null or blank: none set), or null when it can. */
    static String missingTokenReason(String tag, String token) {
        if (!needsAuthToken(tag) || (token != null && !token.isBlank())) {
            return null;
        }
        return IMAGE + ":" + tag + " starts only with an auth token (LocalStack images since 2026-03-23): set "
                + TOKEN_VARIABLE + ", pin a 4.x tag (LocalStreamsExtension.localStack(\"" + DEFAULT_TAG
                + "\")), or use the token-free LocalStreamsExtension.floci()";
    }
}
