package io.shardwise.core.dedup;

import io.shardwise.core.StreamProcessingException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DynamoDbDedupStore#checkReady()} runs in the handler's constructor (Lambda's init phase): its errors
 * speak of start-up, never of a batch that does not exist yet.
 */
class DynamoDbDedupStoreStartupTest {

    private final FakeDynamoDb fake = new FakeDynamoDb();
    private final DynamoDbDedupStore store = DynamoDbDedupStore.builder(fake, "dedup").build();

    @Test
    void anUnreachableDynamoDbAtStartUpSaysTheFunctionCannotStart() {
        fake.thenThrow(SdkClientException.create("Unable to execute HTTP request: Connect to "
                + "dynamodb.us-east-1.amazonaws.com:443 failed: connect timed out"));

        assertThatThrownBy(store::checkReady)
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("'dedup': DescribeTable (checking at start-up that the table exists) failed")
                .hasMessageContaining("check that the function can reach DynamoDB")
                .hasMessageEndingWith("Thrown while the handler is built (Lambda's init phase): no batch was "
                        + "processed; the function starts once this is fixed.")
                .message().doesNotContain("batch is failed", "redelivered");
    }

    @Test
    void accessDeniedAtStartUpNamesThePermissionAndNoBatch() {
        fake.thenThrow(DynamoDbException.builder().message("not authorized")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").build())
                .statusCode(400).build());

        assertThatThrownBy(store::checkReady)
                .hasMessageContaining("grant the function's role dynamodb:DescribeTable on table 'dedup'")
                .message().doesNotContain("batch is failed", "redelivered");
    }

    @Test
    void aMissingTableAtStartUpSaysHowToCreateIt() {
        fake.thenThrow(ResourceNotFoundException.builder().message("Requested resource not found").build());

        assertThatThrownBy(store::checkReady)
                .hasMessageContaining("DynamoDB dedup table 'dedup' does not exist")
                .hasMessageContaining("Create it with partition key 'id' (String)")
                .message().doesNotContain("batch is failed", "redelivered");
    }
}
