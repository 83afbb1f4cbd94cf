package io.shardwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.testkit.internal.KinesisMockProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** The smoke scenario against the embedded emulators (the DynamoDB engine in this JVM over HTTP, kinesis-mock under node). */
class LocalEmulatorsIT {

    static EmbeddedDynamoDb dynamoDb;
    static KinesisMock kinesis;

    @BeforeAll
    static void start() {
        dynamoDb = LocalEmulators.dynamoDb();
        kinesis = LocalEmulators.kinesis();
    }

    @Test
    void handlesAreSharedPerJvm() {
        assertThat(LocalEmulators.dynamoDb()).isSameAs(dynamoDb);
        assertThat(LocalEmulators.kinesis()).isSameAs(kinesis);
        assertThat(dynamoDb.client()).isSameAs(dynamoDb.client());
        assertThat(kinesis.client()).isSameAs(kinesis.client());
        assertThat(dynamoDb.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(kinesis.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(dynamoDb.endpoint().getPort()).isPositive().isNotEqualTo(8000);
        assertThat(kinesis.endpoint().getPort()).isPositive().isNotEqualTo(4568);
    }

    @Test
    void kinesisTwoShardsReadBackInOrderPerShard() {
        EmulatorSmokeScenario.kinesisTwoShardsOrderedPerShard(kinesis.client());
    }

    @Test
    void dynamoDbStreamHasInsertModifyRemoveWithImages() {
        EmulatorSmokeScenario.dynamoDbStreamInsertModifyRemove(dynamoDb.client(), dynamoDb.streamsClient());
    }

    @Test
    void conditionalPutFailsTheSecondTime() {
        EmulatorSmokeScenario.conditionalPutFailsSecondTime(dynamoDb.client());
    }

    /**
     * The clients of this module speak JSON to kinesis-mock (CBOR off, see {@link LocalAwsClients}); kinesis-mock
     * 0.6.2 also understands CBOR, which is what an SDK Kinesis client built elsewhere with the SDK's defaults
     * speaks. Both must work against it.
     */
    @Test
    void kinesisMockAlsoAnswersCborClients() {
        String before = System.getProperty(LocalAwsClients.CBOR_PROPERTY);
        KinesisClient cbor;
        System.setProperty(LocalAwsClients.CBOR_PROPERTY, "true"); // read once, when the client is built
        try {
            cbor = LocalAwsClients.kinesis(kinesis.endpoint());
        } finally {
            if (before == null) {
                System.clearProperty(LocalAwsClients.CBOR_PROPERTY);
            } else {
                System.setProperty(LocalAwsClients.CBOR_PROPERTY, before);
            }
        }
        try (cbor) {
            EmulatorSmokeScenario.kinesisTwoShardsOrderedPerShard(cbor);
        }
    }

    @Test
    void kinesisMockRunsAsAChildNodeProcess() {
        long pid = ((KinesisMockProcess) kinesis).pid();
        ProcessHandle node = ProcessHandle.of(pid).orElseThrow();
        assertThat(node.isAlive()).isTrue();
        assertThat(node.parent().map(ProcessHandle::pid)).contains(ProcessHandle.current().pid());
        assertThat(node.info().command().orElse("")).contains("node");
    }
}
