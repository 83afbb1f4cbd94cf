package io.shardwise.testkit.dynamodb.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveResponse;

/**
 * The engine's state: its tables (and through them items and streams), the clock, and the seeded randomness for
 * ids. Table-level operations live here; item, transaction and stream operations in their own classes over this
 * one. Thread-safe: the table map is guarded by this object, each table's contents by its own lock.
 */
public final class Database {

    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");

    private final Clock clock;
    private final String region;
    private final String account;
    private final Random random;
    private final SequenceNumbers sequences = new SequenceNumbers();
    private final Map<String, Table> tables = new TreeMap<>();
    private final List<StreamLog> streams = new ArrayList<>(); // every stream ever created, for ListStreams

    public Database(Clock clock, String region, String account, long seed) {
        this.clock = clock;
        this.region = region;
        this.account = account;
        this.random = new Random(seed);
    }

    public Clock clock() {
        return clock;
    }

    Instant now() {
        return clock.instant();
    }

    String region() {
        return region;
    }

    synchronized Random random() {
        return random;
    }

    /**
     * The table a request names, by name or by ARN.
     *
     * @throws ApiException ResourceNotFoundException "Requested resource not found" when there is none
     */
    synchronized Table table(String nameOrArn) {
        Table t = tables.get(tableName(nameOrArn));
        if (t == null) {
            throw AwsError.RESOURCE_NOT_FOUND.with("Requested resource not found");
        }
        return t;
    }

    private static String tableName(String nameOrArn) {
        if (nameOrArn == null) {
            throw AwsError.VALIDATION.with(
                    "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                            + "Member must not be null");
        }
        int slash = nameOrArn.indexOf(":table/");
        return nameOrArn.startsWith("arn:") && slash > 0 ? nameOrArn.substring(slash + 7) : nameOrArn;
    }

    synchronized List<StreamLog> streams() {
        return List.copyOf(streams);
    }

    synchronized Collection<Table> tables() {
        return List.copyOf(tables.values());
    }

    /**
     * CreateTable: the table is usable at once; the response says CREATING as AWS's does, DescribeTable says ACTIVE.
     *
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html">CreateTable</a>
     */
    public CreateTableResponse createTable(CreateTableRequest r) {
        String name = r.tableName();
        if (name == null || !TABLE_NAME.matcher(name).matches()) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value '" + name
                    + "' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression "
                    + "pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255");
        }
        if (r.hasGlobalSecondaryIndexes() || r.hasLocalSecondaryIndexes()) {
            throw AwsError.VALIDATION.with("Secondary indexes are not supported by the shardwise DynamoDB engine");
        }
        KeySchema keys = keySchema(r.keySchema(), r.attributeDefinitions());
        BillingMode billing = r.billingMode() == null ? BillingMode.PROVISIONED : r.billingMode();
        long read = 0;
        long write = 0;
        if (billing == BillingMode.PAY_PER_REQUEST) {
            if (r.provisionedThroughput() != null) {
                throw AwsError.VALIDATION.with("One or more parameter values were invalid: Neither "
                        + "ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
            }
        } else if (billing == BillingMode.PROVISIONED) {
            if (r.provisionedThroughput() == null
                    || r.provisionedThroughput().readCapacityUnits() == null
                    || r.provisionedThroughput().writeCapacityUnits() == null) {
                throw AwsError.VALIDATION.with("One or more parameter values were invalid: ReadCapacityUnits and "
                        + "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
            }
            read = r.provisionedThroughput().readCapacityUnits();
            write = r.provisionedThroughput().writeCapacityUnits();
        } else {
            throw AwsError.VALIDATION.with("1 validation error detected: Value '" + r.billingModeAsString()
                    + "' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[PROVISIONED, PAY_PER_REQUEST]");
        }
        StreamViewType view = streamViewType(r.streamSpecification());
        synchronized (this) {
            if (tables.containsKey(name)) {
                throw AwsError.RESOURCE_IN_USE.with("Table already exists: " + name);
            }
            Instant now = now();
            String arn = "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
            Table t = new Table(name, arn, uuid(), now, keys, r.attributeDefinitions(), billing, read, write);
            if (view != null) {
                StreamLog s = new StreamLog(arn, name, view, keys, now, region, sequences, random);
                t.stream(s);
                streams.add(s);
            }
            tables.put(name, t);
            t.lock().lock();
            try {
                return CreateTableResponse.builder()
                        .tableDescription(t.describe(TableStatus.CREATING))
                        .build();
            } finally {
                t.lock().unlock();
            }
        }
    }

    private String uuid() {
        synchronized (this) {
            return new UUID(random.nextLong(), random.nextLong()).toString();
        }
    }

    private static StreamViewType streamViewType(StreamSpecification spec) {
        if (spec == null || !Boolean.TRUE.equals(spec.streamEnabled())) {
            if (spec != null && spec.streamViewType() != null) {
                throw AwsError.VALIDATION.with("One or more parameter values were invalid: "
                        + "StreamViewType cannot be specified when StreamEnabled is false");
            }
            return null;
        }
        StreamViewType view = spec.streamViewType();
        if (view == null || view == StreamViewType.UNKNOWN_TO_SDK_VERSION) {
            throw AwsError.VALIDATION.with("One or more parameter values were invalid: "
                    + "StreamViewType is required when StreamEnabled is true");
        }
        return view;
    }

    /**
     * The key schema, checked as CreateTable checks it: a HASH element, then optionally a RANGE element, and
     * attribute definitions of type S, N or B for exactly those attributes.
     */
    private static KeySchema keySchema(List<KeySchemaElement> elements, List<AttributeDefinition> definitions) {
        if (elements == null || elements.isEmpty() || elements.size() > 2) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value at 'keySchema' failed to satisfy "
                    + "constraint: Member must have length less than or equal to 2 and greater than or equal to 1");
        }
        KeySchemaElement hash = elements.get(0);
        KeySchemaElement range = elements.size() == 2 ? elements.get(1) : null;
        if (hash.keyType() != KeyType.HASH || (range != null && range.keyType() != KeyType.RANGE)) {
            throw AwsError.VALIDATION.with("Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                    + (range != null && hash.keyType() == KeyType.HASH ? "; the second must be a RANGE key type" : ""));
        }
        if (range != null && range.attributeName().equals(hash.attributeName())) {
            throw AwsError.VALIDATION.with("Both the Hash Key and the Range Key element in the KeySchema have the same name");
        }
        Set<String> keyNames = new HashSet<>();
        keyNames.add(hash.attributeName());
        if (range != null) {
            keyNames.add(range.attributeName());
        }
        Map<String, String> types = new TreeMap<>();
        for (AttributeDefinition d : definitions == null ? List.<AttributeDefinition>of() : definitions) {
            String type = d.attributeTypeAsString();
            if (!"S".equals(type) && !"N".equals(type) && !"B".equals(type)) {
                throw AwsError.VALIDATION.with("1 validation error detected: Value '" + type
                        + "' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: "
                        + "Member must satisfy enum value set: [B, N, S]");
            }
            if (types.put(d.attributeName(), type) != null) {
                throw AwsError.VALIDATION.with("Cannot have two attributes with the same name");
            }
        }
        if (!types.keySet().containsAll(keyNames)) {
            throw AwsError.VALIDATION.with("One or more parameter values were invalid: Some index key attributes "
                    + "are not defined in AttributeDefinitions. Keys: " + keyNames + ", AttributeDefinitions: "
                    + types.keySet());
        }
        if (types.size() != keyNames.size()) {
            throw AwsError.VALIDATION.with("One or more parameter values were invalid: Number of attributes in "
                    + "KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }
        return new KeySchema(
                hash.attributeName(),
                types.get(hash.attributeName()),
                range == null ? null : range.attributeName(),
                range == null ? null : types.get(range.attributeName()));
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html">DescribeTable</a> */
    public DescribeTableResponse describeTable(DescribeTableRequest r) {
        Table t = tableForAdmin(r.tableName());
        t.lock().lock();
        try {
            return DescribeTableResponse.builder().table(t.describe(TableStatus.ACTIVE)).build();
        } finally {
            t.lock().unlock();
        }
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html">DeleteTable</a> */
    public DeleteTableResponse deleteTable(DeleteTableRequest r) {
        Table t;
        synchronized (this) {
            t = tableForAdmin(r.tableName());
            tables.remove(t.name());
        }
        t.lock().lock();
        try {
            t.markDeleted();
            return DeleteTableResponse.builder().tableDescription(t.describe(TableStatus.DELETING)).build();
        } finally {
            t.lock().unlock();
        }
    }

    /** Table-level operations name the table in their not-found message. */
    private Table tableForAdmin(String nameOrArn) {
        synchronized (this) {
            Table t = tables.get(tableName(nameOrArn));
            if (t == null) {
                throw AwsError.RESOURCE_NOT_FOUND.with(
                        "Requested resource not found: Table: " + tableName(nameOrArn) + " not found");
            }
            return t;
        }
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html">ListTables</a> */
    public synchronized ListTablesResponse listTables(ListTablesRequest r) {
        int limit = r.limit() == null ? 100 : r.limit();
        if (limit < 1 || limit > 100) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value '" + limit
                    + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
        }
        List<String> names = new ArrayList<>();
        String last = null;
        for (String name : tables.keySet()) {
            if (r.exclusiveStartTableName() != null && name.compareTo(r.exclusiveStartTableName()) <= 0) {
                continue;
            }
            if (names.size() == limit) {
                last = names.get(names.size() - 1);
                break;
            }
            names.add(name);
        }
        return ListTablesResponse.builder().tableNames(names).lastEvaluatedTableName(last).build();
    }

    /**
     * UpdateTimeToLive: enables or disables TTL on one attribute. Enabling it twice, or disabling what is not
     * enabled, is a ValidationException as in AWS.
     *
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html">
     *     UpdateTimeToLive</a>
     */
    public UpdateTimeToLiveResponse updateTimeToLive(UpdateTimeToLiveRequest r) {
        Table t = table(r.tableName());
        TimeToLiveSpecification spec = r.timeToLiveSpecification();
        if (spec == null || spec.attributeName() == null || spec.enabled() == null) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value null at 'timeToLiveSpecification' "
                    + "failed to satisfy constraint: Member must not be null");
        }
        t.lock().lock();
        try {
            if (spec.enabled()) {
                if (t.ttlAttribute() != null) {
                    throw AwsError.VALIDATION.with("TimeToLive is already enabled");
                }
                t.ttlAttribute(spec.attributeName());
            } else {
                if (t.ttlAttribute() == null) {
                    throw AwsError.VALIDATION.with("TimeToLive is already disabled");
                }
                if (!t.ttlAttribute().equals(spec.attributeName())) {
                    throw AwsError.VALIDATION.with("TimeToLive attribute name does not match the enabled one: "
                            + t.ttlAttribute());
                }
                t.ttlAttribute(null);
            }
        } finally {
            t.lock().unlock();
        }
        return UpdateTimeToLiveResponse.builder().timeToLiveSpecification(spec).build();
    }

    /**
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html">
     *     DescribeTimeToLive</a>
     */
    public DescribeTimeToLiveResponse describeTimeToLive(DescribeTimeToLiveRequest r) {
        Table t = table(r.tableName());
        t.lock().lock();
        try {
            TimeToLiveDescription d = t.ttlAttribute() == null
                    ? TimeToLiveDescription.builder().timeToLiveStatus(TimeToLiveStatus.DISABLED).build()
                    : TimeToLiveDescription.builder()
                            .timeToLiveStatus(TimeToLiveStatus.ENABLED)
                            .attributeName(t.ttlAttribute())
                            .build();
            return DescribeTimeToLiveResponse.builder().timeToLiveDescription(d).build();
        } finally {
            t.lock().unlock();
        }
    }

    /**
     * Deletes, in every table with TTL enabled, the items whose TTL attribute is a number of epoch seconds at or
     * before the clock's now, each with a REMOVE stream record whose {@code userIdentity} is the DynamoDB service.
     * Items whose TTL attribute is not a number are kept, as AWS keeps them.
     *
     * @return how many items were deleted
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html">
     *     DynamoDB Streams and Time to Live</a>
     */
    public int expireTtl() {
        Instant now = now();
        long nowSeconds = now.getEpochSecond();
        int deleted = 0;
        List<Table> all = new ArrayList<>(tables());
        all.sort(Comparator.comparing(Table::name));
        for (Table t : all) {
            t.lock().lock();
            try {
                String attribute = t.ttlAttribute();
                if (attribute == null || t.deleted()) {
                    continue;
                }
                List<ItemKey> expired = new ArrayList<>();
                for (Map.Entry<ItemKey, Map<String, AttributeValue>> e : t.items().entrySet()) {
                    AttributeValue ttl = e.getValue().get(attribute);
                    if (ttl != null && ttl.n() != null && epochSeconds(ttl.n()) <= nowSeconds) {
                        expired.add(e.getKey());
                    }
                }
                for (ItemKey key : expired) {
                    t.write(key, null, now, StreamLog.TTL_IDENTITY);
                    deleted++;
                }
            } finally {
                t.lock().unlock();
            }
        }
        return deleted;
    }

    private static double epochSeconds(String n) {
        return Double.parseDouble(n);
    }

    /** Trims every stream's records older than 24 hours. */
    void trimStreams() {
        Instant now = now();
        for (StreamLog s : streams()) {
            s.trim(now);
        }
    }
}
