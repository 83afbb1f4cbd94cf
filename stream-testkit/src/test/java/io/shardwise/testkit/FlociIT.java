package io.shardwise.testkit;

import io.floci.testcontainers.FlociContainer;
import java.net.URI;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The token-free Docker path on Floci (MIT licensed, no account, no auth token). Skipped where there is no Docker
 * engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class FlociIT extends ContainerSmokeTests {

    @Container
    static final FlociContainer FLOCI = new FlociContainer(DockerImageName.parse("floci/floci:latest"));

    @Override
    URI endpoint() {
        return URI.create(FLOCI.getEndpoint());
    }
}
