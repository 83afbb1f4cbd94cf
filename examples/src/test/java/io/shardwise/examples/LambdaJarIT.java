package io.shardwise.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/** The shaded jar the template deploys: both handlers and their dependencies, and nothing of the local tooling. */
class LambdaJarIT {

    private static final Path JAR = Path.of("target", "shardwise-examples-lambda.jar");

    @Test
    void holdsTheHandlersAndTheirDependenciesButNoEmulatorsOrDemo() throws Exception {
        assertThat(JAR).as("built by mvn package (maven-shade-plugin)").exists();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains(
                    "io/shardwise/examples/ordertotals/OrderTotalsHandler.class",
                    "io/shardwise/examples/outbox/OrderOutboxHandler.class",
                    "io/shardwise/kinesis/KinesisBatchHandler.class",
                    "io/shardwise/ddb/DynamoDbStreamHandler.class",
                    "io/shardwise/core/BatchProcessor.class",
                    "software/amazon/awssdk/services/dynamodb/DynamoDbClient.class",
                    "software/amazon/awssdk/services/sqs/SqsClient.class",
                    "software/amazon/awssdk/services/kinesis/KinesisClient.class",
                    "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class",
                    "com/fasterxml/jackson/datatype/jsr310/JavaTimeModule.class",
                    "logback.xml");
            assertThat(names).noneMatch(n -> n.startsWith("io/shardwise/testkit/"))
                    .noneMatch(n -> n.startsWith("io/shardwise/examples/demo/"))
                    .noneMatch(n -> n.startsWith("com/amazonaws/services/dynamodbv2/local/"))
                    .noneMatch(n -> n.startsWith("org/elasticmq/"))
                    .noneMatch(n -> n.startsWith("io/netty/"))
                    .noneMatch(n -> n.startsWith("org/apache/http/"));
            ZipEntry httpServices = jar.getEntry("META-INF/services/software.amazon.awssdk.http.SdkHttpService");
            assertThat(httpServices).as("the SDK finds its HTTP client through this file").isNotNull();
            String services = new String(jar.getInputStream(httpServices).readAllBytes());
            assertThat(services).contains("UrlConnectionSdkHttpService");
        }
        assertThat(Files.size(JAR)).as("jar size").isLessThan(50L * 1024 * 1024);
    }
}
