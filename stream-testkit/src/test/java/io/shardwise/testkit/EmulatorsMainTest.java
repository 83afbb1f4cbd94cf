package io.shardwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The standalone entry point, without kinesis-mock (that needs node; LocalEmulatorsIT covers it). */
class EmulatorsMainTest {

    @Test
    void printsTheDynamoDbEndpointAndServesIt() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        EmulatorsMain.Options options = EmulatorsMain.Options.parse(new String[] {"--no-kinesis"});
        try (EmulatorsMain.Running running =
                EmulatorsMain.start(options, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String line = printed.toString(StandardCharsets.UTF_8).trim();
            assertThat(line).matches("DynamoDB: http://127\\.0\\.0\\.1:\\d+");
            URI endpoint = URI.create(line.substring("DynamoDB: ".length()));
            try (DynamoDbClient client = LocalAwsClients.dynamoDb(endpoint)) {
                assertThat(client.listTables().tableNames()).isEmpty();
            }
        }
    }

    @Test
    void rejectsUnknownOptionsAndBadPorts() {
        assertThatThrownBy(() -> EmulatorsMain.Options.parse(new String[] {"--nope"}))
                .hasMessage("unknown option --nope");
        assertThatThrownBy(() -> EmulatorsMain.Options.parse(new String[] {"--dynamodb-port", "70000"}))
                .hasMessage("--dynamodb-port needs a number from 0 to 65535, not 70000");
        EmulatorsMain.Options o = EmulatorsMain.Options.parse(
                new String[] {"--dynamodb-port", "8000", "--kinesis-port", "4567", "--ttl-sweep-seconds", "0"});
        assertThat(o).isEqualTo(new EmulatorsMain.Options(8000, 4567, true, 0));
    }
}
