package io.shardwise.testkit.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Without Docker, the LocalStack back-end disables its tests with the reason, and never half-starts. */
class LocalStackUnavailableTest {

    @Test
    void withoutDockerTestsAreSkippedWithTheReason() {
        assumeTrue(!DockerClientFactory.instance().isDockerAvailable(), "Docker is available here");
        LocalStreamsExtension extension = LocalStreamsExtension.localStack();
        ExtensionContext unused = (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ExtensionContext.class}, (p, m, a) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        ConditionEvaluationResult result = extension.evaluateExecutionCondition(unused);
        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).hasValueSatisfying(r -> assertThat(r).contains("needs a Docker engine"));
        assertThatThrownBy(extension::kinesis).isInstanceOf(org.opentest4j.TestAbortedException.class)
                .hasMessageContaining("needs a Docker engine");
    }

    @Test
    void theEmbeddedBackEndIsAlwaysEnabled() {
        ExtensionContext unused = (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ExtensionContext.class}, (p, m, a) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        assertThat(LocalStreamsExtension.embedded().evaluateExecutionCondition(unused).isDisabled()).isFalse();
    }
}
