package io.shardwise.testkit.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Docker back-ends (LocalStack, Floci) disable their tests with the reason when they cannot run, and never
 * half-start: without Docker, and for LocalStack tags that need an auth token when none is set.
 */
class LocalStackUnavailableTest {

    private static final ExtensionContext UNUSED = (ExtensionContext) Proxy.newProxyInstance(
            LocalStackUnavailableTest.class.getClassLoader(), new Class<?>[]{ExtensionContext.class}, (p, m, a) -> {
                throw new UnsupportedOperationException(m.getName());
            });

    @Test
    void withoutDockerTestsAreSkippedWithTheReason() {
        assumeTrue(!DockerClientFactory.instance().isDockerAvailable(), "Docker is available here");
        LocalStreamsExtension extension = LocalStreamsExtension.localStack();
        ConditionEvaluationResult result = extension.evaluateExecutionCondition(UNUSED);
        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).hasValueSatisfying(r -> assertThat(r).contains("LocalStack needs a Docker engine"));
        assertThatThrownBy(extension::kinesis).isInstanceOf(org.opentest4j.TestAbortedException.class)
                .hasMessageContaining("needs a Docker engine");
    }

    @Test
    void flociWithoutDockerIsSkippedWithTheReason() {
        assumeTrue(!DockerClientFactory.instance().isDockerAvailable(), "Docker is available here");
        LocalStreamsExtension extension = LocalStreamsExtension.floci();
        assertThat(extension.evaluateExecutionCondition(UNUSED).getReason())
                .hasValueSatisfying(r -> assertThat(r).contains("Floci needs a Docker engine"));
        assertThatThrownBy(extension::dynamoDb).isInstanceOf(org.opentest4j.TestAbortedException.class)
                .hasMessageContaining("Floci needs a Docker engine");
    }

    @Test
    void aTagThatNeedsAnAuthTokenIsSkippedWithoutOneBeforeDockerIsAsked() {
        LocalStreamsExtension extension = LocalStreamsExtension.localStack("latest", name -> null);
        ConditionEvaluationResult result = extension.evaluateExecutionCondition(UNUSED);
        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).hasValueSatisfying(r -> assertThat(r)
                .contains("localstack/localstack:latest starts only with an auth token")
                .contains("LOCALSTACK_AUTH_TOKEN")
                .contains("floci()"));
        assertThatThrownBy(extension::kinesis).isInstanceOf(org.opentest4j.TestAbortedException.class)
                .hasMessageContaining("LOCALSTACK_AUTH_TOKEN");
    }

    @Test
    void withATokenTheSameTagIsOnlyAsDockerAllows() {
        assumeTrue(!DockerClientFactory.instance().isDockerAvailable(), "Docker is available here");
        LocalStreamsExtension extension = LocalStreamsExtension.localStack("2026.06.0", name -> "ls-token");
        assertThat(extension.evaluateExecutionCondition(UNUSED).getReason())
                .hasValueSatisfying(r -> assertThat(r).contains("needs a Docker engine").doesNotContain("TOKEN"));
    }

    @Test
    void theEmbeddedBackEndIsAlwaysEnabled() {
        assertThat(LocalStreamsExtension.embedded().evaluateExecutionCondition(UNUSED).isDisabled()).isFalse();
    }
}
