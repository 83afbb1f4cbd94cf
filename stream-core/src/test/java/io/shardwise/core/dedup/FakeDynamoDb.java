package io.shardwise.core.dedup;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A {@link DynamoDbClient} that records every request and answers from a script: each call takes the next
 * queued answer (a function of the request returning the response, or throwing), or a default empty response.
 * Not thread-safe.
 */
final class FakeDynamoDb implements DynamoDbClient {

    final List<SdkRequest> requests = new ArrayList<>();
    private final Deque<Function<SdkRequest, Object>> answers = new ArrayDeque<>();

    /** Queues the answer to the next unanswered call. */
    FakeDynamoDb then(Function<SdkRequest, Object> answer) {
        answers.add(answer);
        return this;
    }

    /** Queues a response to return. */
    FakeDynamoDb thenReturn(Object response) {
        return then(r -> response);
    }

    /** Queues an exception to throw. */
    FakeDynamoDb thenThrow(RuntimeException e) {
        return then(r -> {
            throw e;
        });
    }

    <T extends SdkRequest> T request(int index, Class<T> type) {
        return type.cast(requests.get(index));
    }

    private <T> T answer(SdkRequest request, Class<T> type, T fallback) {
        requests.add(request);
        Function<SdkRequest, Object> answer = answers.poll();
        return answer == null ? fallback : type.cast(answer.apply(request));
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return answer(request, UpdateItemResponse.class, UpdateItemResponse.builder().build());
    }

    @Override
    public software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse deleteItem(
            software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest request) {
        return answer(request, software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse.class,
                software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse.builder().build());
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        return answer(request, PutItemResponse.class, PutItemResponse.builder().build());
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return answer(request, GetItemResponse.class, GetItemResponse.builder().build());
    }

    @Override
    public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
        return answer(request, BatchGetItemResponse.class, BatchGetItemResponse.builder().build());
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        return answer(request, TransactWriteItemsResponse.class, TransactWriteItemsResponse.builder().build());
    }

    @Override
    public DescribeTableResponse describeTable(DescribeTableRequest request) {
        return answer(request, DescribeTableResponse.class, DescribeTableResponse.builder().build());
    }

    @Override
    public DescribeTimeToLiveResponse describeTimeToLive(DescribeTimeToLiveRequest request) {
        return answer(request, DescribeTimeToLiveResponse.class, DescribeTimeToLiveResponse.builder().build());
    }

    @Override
    public String serviceName() {
        return "dynamodb";
    }

    @Override
    public void close() {
    }
}
