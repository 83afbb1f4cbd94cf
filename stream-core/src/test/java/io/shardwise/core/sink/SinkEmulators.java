package io.shardwise.core.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS and S3 servers of the sink ITs, one of each per JVM, started on first use on 127.0.0.1 and a free
 * port, stopped by a shutdown hook:
 * <ul>
 *   <li>SQS: ElasticMQ ({@code org.elasticmq:elasticmq-rest-sqs_2.13}) in-process, with SQS's strict limits
 *       (256 KiB messages);</li>
 *   <li>S3: Adobe S3Mock's self-contained jar in a child JVM, so its Spring Boot, Jackson and logging versions
 *       stay out of this classpath. S3Mock binds its HTTP connector to every interface and has no setting for
 *       that; a Spring XML source given on its command line sets the connector's address to 127.0.0.1 before it
 *       starts. The build copies the jar to {@code target/s3mock} and passes {@code -Dshardwise.s3mock.jar}.</li>
 * </ul>
 * Thread-safe.
 */
public final class SinkEmulators {

    public static final String LOOPBACK = "127.0.0.1";
    public static final Region REGION = Region.US_EAST_1;
    private static final Duration S3MOCK_START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern S3MOCK_STARTED =
            Pattern.compile("Tomcat started on ports? (\\d+) \\(https\\), (\\d+) \\(http\\)");

    private static URI sqsEndpoint;
    private static SQSRestServer elasticMq;
    private static URI s3Endpoint;
    private static Process s3Mock;

    private SinkEmulators() {
    }

    /** ElasticMQ's endpoint, starting it on first call. */
    public static synchronized URI sqs() {
        if (elasticMq == null) {
            SQSRestServer server = SQSRestServerBuilder.withInterface(LOOPBACK).withDynamicPort().start();
            int port = server.waitUntilStarted().localAddress().getPort();
            elasticMq = server;
            sqsEndpoint = URI.create("http://" + LOOPBACK + ":" + port);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndWait, "elasticmq-stop"));
        }
        return sqsEndpoint;
    }

    /** S3Mock's HTTP endpoint, starting it on first call (a few seconds). */
    public static synchronized URI s3() {
        if (s3Mock == null || !s3Mock.isAlive()) {
            startS3Mock();
        }
        return s3Endpoint;
    }

    public static SqsClient sqsClient() {
        return SqsClient.builder()
                .endpointOverride(sqs())
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClientBuilder(http())
                .overrideConfiguration(overrides())
                .build();
    }

    public static S3Client s3Client() {
        return S3Client.builder()
                .endpointOverride(s3())
                .forcePathStyle(true)
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClientBuilder(http())
                .overrideConfiguration(overrides())
                .build();
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    private static UrlConnectionHttpClient.Builder http() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30));
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(60)).build();
    }

    /**
     * The jar: {@code -Dshardwise.s3mock.jar} (set by failsafe), else the copy an earlier {@code verify} left in
     * {@code target/s3mock} (surefire, an IDE), else the newest 4.x exec jar in the local Maven repository.
     */
    public static Path s3MockJar() {
        String configured = System.getProperty("shardwise.s3mock.jar");
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        Path copied = Path.of("target", "s3mock", "s3mock-exec.jar");
        if (Files.isRegularFile(copied)) {
            return copied;
        }
        Path repo = Path.of(System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path versions = repo.resolve(Path.of("com", "adobe", "testing", "s3mock"));
        if (Files.isDirectory(versions)) {
            try (Stream<Path> dirs = Files.list(versions)) {
                Optional<Path> newest = dirs
                        .filter(d -> d.getFileName().toString().matches("4\\.\\d+\\.\\d+"))
                        .map(d -> d.resolve("s3mock-" + d.getFileName() + "-exec.jar"))
                        .filter(Files::isRegularFile)
                        .max(Comparator.comparing(SinkEmulators::versionOf));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("S3Mock's exec jar was not found (-Dshardwise.s3mock.jar=" + configured
                + "): run the ITs through Maven (mvn -pl stream-core verify copies it to target/s3mock), or point "
                + "the property at com.adobe.testing:s3mock:<version>:jar:exec");
    }

    private static String versionOf(Path jar) {
        String[] parts = jar.getParent().getFileName().toString().split("\\.");
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            key.append(String.format("%08d", Integer.parseInt(part)));
        }
        return key.toString();
    }

    private static void startS3Mock() {
        String jar = s3MockJar().toAbsolutePath().toString();
        try {
            Path work = Files.createTempDirectory("shardwise-s3mock");
            Path loopback = work.resolve("loopback.xml");
            Files.writeString(loopback, LOOPBACK_XML, StandardCharsets.UTF_8);
            Path log = work.resolve("s3mock.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar,
                    "--spring.main.sources=" + loopback.toUri(),
                    "--server.address=" + LOOPBACK,
                    "--server.port=0",
                    "--com.adobe.testing.s3mock.httpPort=0",
                    "--com.adobe.testing.s3mock.store.root=" + work.resolve("store"),
                    "--spring.main.banner-mode=off"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(p, work), "s3mock-stop"));
            long deadline = System.nanoTime() + S3MOCK_START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("S3Mock exited with " + p.exitValue() + " while starting:\n"
                            + tail(log));
                }
                Matcher m = S3MOCK_STARTED.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find()) {
                    s3Endpoint = URI.create("http://" + LOOPBACK + ":" + m.group(2));
                    s3Mock = p;
                    return;
                }
                Thread.sleep(100);
            }
            p.destroyForcibly();
            throw new IllegalStateException("S3Mock did not start within " + S3MOCK_START_TIMEOUT + ":\n" + tail(log));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start S3Mock", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting S3Mock", e);
        }
    }

    private static void stop(Process p, Path work) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /**
     * Spring bean definitions added to S3Mock's context: its HTTP connector (created in its configuration class,
     * without an address) gets address 127.0.0.1 before Tomcat starts the connectors. Spring calls the
     * package-private getter of a factory method reflectively.
     */
    private static final String LOOPBACK_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <beans xmlns="http://www.springframework.org/schema/beans"
                   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                   xsi:schemaLocation="http://www.springframework.org/schema/beans
                                       https://www.springframework.org/schema/beans/spring-beans.xsd">
              <bean id="shardwiseHttpConnector" factory-bean="s3MockConfiguration"
                    factory-method="getHttpConnector" lazy-init="false"/>
              <bean class="org.springframework.beans.factory.config.MethodInvokingBean" lazy-init="false">
                <property name="targetObject" ref="shardwiseHttpConnector"/>
                <property name="targetMethod" value="setProperty"/>
                <property name="arguments">
                  <list><value>address</value><value>127.0.0.1</value></list>
                </property>
              </bean>
            </beans>
            """;
}
