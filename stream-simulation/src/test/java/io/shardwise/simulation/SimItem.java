package io.shardwise.simulation;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

/** The item of the simulated DynamoDB table whose stream DynamoDbStreamHandler reads: key {@code pk}, record id. */
@DynamoDbBean
public class SimItem {
    private String pk;
    private String id;

    @DynamoDbPartitionKey
    public String getPk() {
        return pk;
    }

    public void setPk(String pk) {
        this.pk = pk;
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }
}
