package io.shardwise.testkit;

import java.net.URI;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** The Docker path on LocalStack (whose Kinesis engine is kinesis-mock). Skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIT extends ContainerSmokeTests {

    /** Pinned: the 4.x community image needs no auth token (images since 2026-03-23 do). */
    static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.7.0");

    @Container
    static final LocalStackContainer LOCALSTACK =
            new LocalStackContainer(IMAGE).withServices("kinesis", "dynamodb", "dynamodbstreams");

    @Override
    URI endpoint() {
        return LOCALSTACK.getEndpoint();
    }
}
