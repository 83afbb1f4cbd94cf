package io.shardwise.testkit.junit;

import java.net.URI;

/**
 * The only class of the extension that touches Testcontainers and Floci's module, both optional dependencies: the
 * extension loads without them, and a back-end that needs a missing one says which to add.
 */
final class DockerContainers {

    private DockerContainers() {
    }

    static boolean dockerAvailable() {
        return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    }

    /** Starts LocalStack with Kinesis, DynamoDB and DynamoDB Streams, passing the auth token when there is one. */
    static URI startLocalStack(String image, String authToken) {
        org.testcontainers.localstack.LocalStackContainer container =
                new org.testcontainers.localstack.LocalStackContainer(
                        org.testcontainers.utility.DockerImageName.parse(image))
                        .withServices("kinesis", "dynamodb", "dynamodbstreams");
        if (authToken != null && !authToken.isBlank()) {
            container.withEnv(LocalStackTags.TOKEN_VARIABLE, authToken);
        }
        container.start();
        stopAtExit(container, "localstack-stop");
        return container.getEndpoint();
    }

    /** Starts Floci, which serves every service it emulates on one port. */
    static URI startFloci(String image) {
        io.floci.testcontainers.FlociContainer container =
                new io.floci.testcontainers.FlociContainer(org.testcontainers.utility.DockerImageName.parse(image));
        container.start();
        stopAtExit(container, "floci-stop");
        return URI.create(container.getEndpoint());
    }

    private static void stopAtExit(org.testcontainers.containers.GenericContainer<?> container, String name) {
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, name));
    }
}
