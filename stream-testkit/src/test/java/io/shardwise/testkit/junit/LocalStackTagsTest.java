package io.shardwise.testkit.junit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which LocalStack tags need an auth token: the images published since 2026-03-23 (the consolidated image that
 * exits with code 55 without one), as LocalStack announced and as projects pinning 4.x tags recorded.
 */
class LocalStackTagsTest {

    @ParameterizedTest(name = "{0} needs a token: {1}")
    @CsvSource({
            "latest, true",
            "stable, true",
            "2026.03.0, true",
            "2026.06.0, true",
            "2027.01, true",
            "2026.02.1, false",
            "4.14.0, false",
            "4.7.0, false",
            "3.8, false",
    })
    void tagsFromMarch2026OnNeedAToken(String tag, boolean needsToken) {
        assertThat(LocalStackTags.needsAuthToken(tag)).isEqualTo(needsToken);
    }

    @ParameterizedTest(name = "token [{0}]")
    @CsvSource(value = {"NULL", "'   '"}, nullValues = "NULL")
    void aBlankTokenIsNoToken(String token) {
        assertThat(LocalStackTags.missingTokenReason("latest", token)).contains("LOCALSTACK_AUTH_TOKEN");
        assertThat(LocalStackTags.missingTokenReason("4.7.0", token)).isNull();
        assertThat(LocalStackTags.missingTokenReason("latest", "real-token")).isNull();
    }
}
