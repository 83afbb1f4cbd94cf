package io.shardwise.testkit.dynamodb.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardwise.testkit.dynamodb.FaultKind;
import io.shardwise.testkit.dynamodb.FaultRule;
import io.shardwise.testkit.dynamodb.RequestHook;
import io.shardwise.testkit.dynamodb.Sleeper;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsRequest;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;

/**
 * The {@code x-amz-json-1.0} protocol of DynamoDB and DynamoDB Streams, for both bindings: reads the operation from
 * {@code X-Amz-Target} ({@code DynamoDB_20120810.<Op>} or {@code DynamoDBStreams_20120810.<Op>}), the request from
 * the JSON body, runs the operation, and renders the response or the error ({@code __type} and {@code message},
 * HTTP status by {@link AwsError}) with the {@code x-amz-crc32} header the SDK checks. Fault rules and the request
 * hook are applied here, so both bindings behave alike.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html">
 *     DynamoDB low-level API</a>
 */
public final class WireProtocol {

    public static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    static final String DYNAMODB_PREFIX = "DynamoDB_20120810.";
    static final String STREAMS_PREFIX = "DynamoDBStreams_20120810.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Operation(Supplier<SdkPojo> builder, Function<Object, SdkPojo> handler) {}

    private final Database db;
    private final FaultDecision.Policy faults;
    private final Sleeper sleeper;
    private final RequestHook hook;
    private final Map<String, Operation> dynamoDb = new HashMap<>();
    private final Map<String, Operation> streams = new HashMap<>();

    public WireProtocol(Database db, FaultDecision.Policy faults, Sleeper sleeper, RequestHook hook) {
        this.db = db;
        this.faults = faults;
        this.sleeper = sleeper;
        this.hook = hook;
        ItemOperations items = new ItemOperations(db);
        Transactions tx = new Transactions(db);
        StreamOperations so = new StreamOperations(db);
        op(dynamoDb, "CreateTable", CreateTableRequest::builder, db::createTable);
        op(dynamoDb, "DescribeTable", DescribeTableRequest::builder, db::describeTable);
        op(dynamoDb, "DeleteTable", DeleteTableRequest::builder, db::deleteTable);
        op(dynamoDb, "ListTables", ListTablesRequest::builder, db::listTables);
        op(dynamoDb, "UpdateTimeToLive", UpdateTimeToLiveRequest::builder, db::updateTimeToLive);
        op(dynamoDb, "DescribeTimeToLive", DescribeTimeToLiveRequest::builder, db::describeTimeToLive);
        op(dynamoDb, "PutItem", PutItemRequest::builder, items::putItem);
        op(dynamoDb, "GetItem", GetItemRequest::builder, items::getItem);
        op(dynamoDb, "UpdateItem", UpdateItemRequest::builder, items::updateItem);
        op(dynamoDb, "DeleteItem", DeleteItemRequest::builder, items::deleteItem);
        op(dynamoDb, "BatchGetItem", BatchGetItemRequest::builder, items::batchGetItem);
        op(dynamoDb, "BatchWriteItem", BatchWriteItemRequest::builder, items::batchWriteItem);
        op(dynamoDb, "Query", QueryRequest::builder, items::query);
        op(dynamoDb, "Scan", ScanRequest::builder, items::scan);
        op(dynamoDb, "TransactWriteItems", TransactWriteItemsRequest::builder, tx::transactWriteItems);
        op(dynamoDb, "TransactGetItems", TransactGetItemsRequest::builder, tx::transactGetItems);
        op(streams, "ListStreams", ListStreamsRequest::builder, so::listStreams);
        op(streams, "DescribeStream", DescribeStreamRequest::builder, so::describeStream);
        op(streams, "GetShardIterator", GetShardIteratorRequest::builder, so::getShardIterator);
        op(streams, "GetRecords", GetRecordsRequest::builder, so::getRecords);
    }

    @SuppressWarnings("unchecked")
    private static <Q, R extends SdkPojo> void op(
            Map<String, Operation> table, String name, Supplier<? extends SdkPojo> builder, Function<Q, R> handler) {
        table.put(name, new Operation((Supplier<SdkPojo>) builder, (Function<Object, SdkPojo>) handler));
    }

    /** The operation names served, DynamoDB's then Streams'. */
    public List<String> operations() {
        List<String> names = new java.util.ArrayList<>(new java.util.TreeSet<>(dynamoDb.keySet()));
        names.addAll(new java.util.TreeSet<>(streams.keySet()));
        return names;
    }

    /**
     * Handles one request. {@code target} is the {@code X-Amz-Target} header (null when missing), {@code body} the
     * request body. Never throws for a bad request: that is an error response.
     */
    public WireResponse handle(String target, byte[] body) {
        Operation op;
        String name;
        if (target != null && target.startsWith(DYNAMODB_PREFIX)) {
            name = target.substring(DYNAMODB_PREFIX.length());
            op = dynamoDb.get(name);
        } else if (target != null && target.startsWith(STREAMS_PREFIX)) {
            name = target.substring(STREAMS_PREFIX.length());
            op = streams.get(name);
        } else {
            name = String.valueOf(target);
            op = null;
        }
        if (op == null) {
            return error(AwsError.UNKNOWN_OPERATION.with("Operation " + name + " is not supported"));
        }
        Object request;
        try {
            JsonNode json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            request = PojoJson.read(json, op.builder().get());
        } catch (ApiException e) {
            return error(e);
        } catch (IOException | RuntimeException e) {
            return error(AwsError.SERIALIZATION.with("Could not read the request body as JSON: " + e.getMessage()));
        }
        hook.beforeRequest(name);
        FaultDecision decision = faults.decide(name, Targets.of(request, db));
        if (!decision.latency().isZero()) {
            try {
                sleeper.sleep(decision.latency());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                hook.afterRequest(name, false);
                return error(AwsError.INTERNAL_SERVER_ERROR.with("Interrupted during injected latency"));
            }
        }
        FaultRule failure = decision.failure();
        if (failure != null && failure.kind() != FaultKind.APPLIED_THEN_LOST) {
            hook.afterRequest(name, false);
            return refused(failure);
        }
        WireResponse response;
        boolean applied;
        try {
            SdkPojo result = op.handler().apply(request);
            response = ok(PojoJson.write(result));
            applied = true;
        } catch (ApiException e) {
            response = error(e);
            applied = false;
        } catch (RuntimeException e) {
            response = error(AwsError.INTERNAL_SERVER_ERROR.with("The engine failed on " + name + ": " + e));
            applied = false;
        }
        hook.afterRequest(name, applied);
        if (failure != null) {
            return failure.lostAs() == FaultRule.LostResponse.TIMEOUT
                    ? WireResponse.failure(WireResponse.Transport.TIMEOUT)
                    : error(AwsError.INTERNAL_SERVER_ERROR.with("Internal server error"));
        }
        return response;
    }

    private static WireResponse refused(FaultRule rule) {
        return switch (rule.kind()) {
            case ENDPOINT_DOWN -> WireResponse.failure(WireResponse.Transport.CONNECTION_REFUSED);
            case TIMEOUT_NOT_APPLIED -> WireResponse.failure(WireResponse.Transport.TIMEOUT);
            case INTERNAL_ERROR -> error(AwsError.INTERNAL_SERVER_ERROR.with("Internal server error"));
            case THROTTLE -> rule.throttleError() == FaultRule.ThrottleError.THROTTLING
                    ? error(AwsError.THROTTLING.with("Rate of requests exceeds the allowed throughput."))
                    : error(AwsError.PROVISIONED_THROUGHPUT_EXCEEDED.with("The level of configured provisioned "
                            + "throughput for the table was exceeded. Consider increasing your provisioning level "
                            + "with the UpdateTable API."));
            default -> throw new IllegalStateException("not a refusing fault: " + rule);
        };
    }

    private static WireResponse ok(ObjectNode json) {
        return render(200, json);
    }

    /** The error body AWS sends: {@code __type}, {@code message}, and the error's extra members. */
    static WireResponse error(ApiException e) {
        ObjectNode json = JSON.createObjectNode();
        json.put("__type", e.error().type());
        json.put("message", e.getMessage());
        if (e.item() != null) {
            ObjectNode item = json.putObject("Item");
            for (Map.Entry<String, AttributeValue> a : e.item().entrySet()) {
                item.set(a.getKey(), PojoJson.write(a.getValue()));
            }
        }
        if (e.cancellationReasons() != null) {
            ArrayNode reasons = json.putArray("CancellationReasons");
            for (CancellationReason r : e.cancellationReasons()) {
                reasons.add(PojoJson.write(r));
            }
        }
        return render(e.error().status(), json);
    }

    private static WireResponse render(int status, ObjectNode json) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not render a response", e);
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("x-amz-crc32", Long.toString(crc.getValue()));
        headers.put("x-amzn-RequestId", UUID.randomUUID().toString());
        return new WireResponse(status, headers, body, WireResponse.Transport.RESPONSE);
    }
}
