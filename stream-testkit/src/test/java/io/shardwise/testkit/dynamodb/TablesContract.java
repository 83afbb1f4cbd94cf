package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** Table operations: CreateTable, DescribeTable, DeleteTable, ListTables, UpdateTimeToLive, DescribeTimeToLive. */
abstract class TablesContract extends EngineContract {

    TablesContract(Binding binding) {
        super(binding);
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html and LocalStack's
     * AWS-recorded test_table_crud: the response says CREATING, DescribeTable then ACTIVE.
     */
    @Test
    void createTableIsCreatingThenActive() {
        CreateTableResponse created = ddb.createTable(r -> r.tableName("orders")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType("S").build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        assertThat(created.tableDescription().tableStatus()).isEqualTo(TableStatus.CREATING);
        TableDescription t = ddb.describeTable(r -> r.tableName("orders")).table();
        assertThat(t.tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(t.tableArn()).isEqualTo("arn:aws:dynamodb:us-east-1:000000000000:table/orders");
        assertThat(t.keySchema()).extracting(KeySchemaElement::attributeName).containsExactly("id");
        assertThat(t.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
        assertThat(t.streamSpecification().streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
        assertThat(t.latestStreamArn()).isEqualTo(t.tableArn() + "/stream/" + t.latestStreamLabel());
        assertThat(t.latestStreamLabel()).isEqualTo("2026-12-07T02:00:00.250");
        assertThat(t.itemCount()).isZero();
        assertThat(t.creationDateTime()).isEqualTo(START);
    }

    /** LocalStack's AWS-recorded test_create_duplicate_table. */
    @Test
    void duplicateTableIsResourceInUse() {
        hashTable("tbl1", null);
        assertThatThrownBy(() -> hashTable("tbl1", null))
                .isInstanceOf(ResourceInUseException.class)
                .hasMessageStartingWith("Table already exists: tbl1");
    }

    /** LocalStack's AWS-recorded test_table_crud ("delete-non-existent-table"). */
    @Test
    void unknownTableIsResourceNotFoundNamingIt() {
        assertThatThrownBy(() -> ddb.describeTable(r -> r.tableName("nope")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageStartingWith("Requested resource not found: Table: nope not found");
        assertThatThrownBy(() -> ddb.deleteTable(r -> r.tableName("nope")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageStartingWith("Requested resource not found: Table: nope not found");
        assertThatThrownBy(() -> ddb.getItem(r -> r.tableName("nope").key(item("id", "a"))))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageStartingWith("Requested resource not found");
    }

    /** LocalStack's AWS-recorded test_dynamodb_pay_per_request. */
    @Test
    void payPerRequestWithThroughputIsRejected() {
        assertThatThrownBy(() -> ddb.createTable(r -> r.tableName("tbl2")
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(5L))
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(
                                AttributeDefinition.builder().attributeName("id").attributeType("S").build())))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                        + "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html: PROVISIONED needs throughput. */
    @Test
    void provisionedTableKeepsItsThroughput() {
        ddb.createTable(r -> r.tableName("prov")
                .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(7L))
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType("S").build()));
        TableDescription t = ddb.describeTable(r -> r.tableName("prov")).table();
        assertThat(t.provisionedThroughput().readCapacityUnits()).isEqualTo(5L);
        assertThat(t.provisionedThroughput().writeCapacityUnits()).isEqualTo(7L);
        assertThat(t.billingModeSummary()).isNull();
        assertThatThrownBy(() -> ddb.createTable(r -> r.tableName("prov2")
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(
                                AttributeDefinition.builder().attributeName("id").attributeType("S").build())))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("ReadCapacityUnits and WriteCapacityUnits must both be specified");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html: definitions match keys. */
    @Test
    void keySchemaAndDefinitionsMustMatch() {
        assertThatThrownBy(() -> ddb.createTable(r -> r.tableName("bad")
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(
                                AttributeDefinition.builder().attributeName("other").attributeType("S").build())))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Some index key attributes are not defined in AttributeDefinitions");
        assertThatThrownBy(() -> ddb.createTable(r -> r.tableName("bad")
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(
                                AttributeDefinition.builder().attributeName("id").attributeType("S").build(),
                                AttributeDefinition.builder().attributeName("x").attributeType("N").build())))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Number of attributes in KeySchema does not exactly match");
        assertThatThrownBy(() -> ddb.createTable(r -> r.tableName("bad")
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.RANGE).build())
                        .attributeDefinitions(
                                AttributeDefinition.builder().attributeName("id").attributeType("S").build())))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("HASH");
        assertThat(ddb.listTables().tableNames()).isEmpty();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html: sorted, paginated. */
    @Test
    void listTablesPaginates() {
        for (String name : List.of("ccc", "aaa", "bbb")) {
            hashTable(name, null);
        }
        ListTablesResponse first = ddb.listTables(r -> r.limit(2));
        assertThat(first.tableNames()).containsExactly("aaa", "bbb");
        assertThat(first.lastEvaluatedTableName()).isEqualTo("bbb");
        ListTablesResponse second = ddb.listTables(r -> r.limit(2).exclusiveStartTableName("bbb"));
        assertThat(second.tableNames()).containsExactly("ccc");
        assertThat(second.lastEvaluatedTableName()).isNull();
        List<String> all = new ArrayList<>();
        ddb.listTablesPaginator(r -> r.limit(1)).tableNames().forEach(all::add);
        assertThat(all).containsExactly("aaa", "bbb", "ccc");
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html: DELETING, then gone. */
    @Test
    void deleteTableRemovesIt() {
        hashTable("gone", null);
        ddb.putItem(r -> r.tableName("gone").item(item("id", "a")));
        assertThat(ddb.deleteTable(r -> r.tableName("gone")).tableDescription().tableStatus())
                .isEqualTo(TableStatus.DELETING);
        assertThat(ddb.listTables().tableNames()).isEmpty();
        assertThatThrownBy(() -> ddb.getItem(r -> r.tableName("gone").key(item("id", "a"))))
                .isInstanceOf(ResourceNotFoundException.class);
        hashTable("gone", null);
        assertThat(ddb.getItem(r -> r.tableName("gone").key(item("id", "a"))).hasItem()).isFalse();
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html and
     * API_DescribeTimeToLive.html.
     */
    @Test
    void timeToLiveIsEnabledAndDescribed() {
        hashTable("ttl", null);
        assertThat(ddb.describeTimeToLive(r -> r.tableName("ttl")).timeToLiveDescription().timeToLiveStatus())
                .isEqualTo(TimeToLiveStatus.DISABLED);
        ddb.updateTimeToLive(r -> r.tableName("ttl").timeToLiveSpecification(s -> s.attributeName("exp").enabled(true)));
        var d = ddb.describeTimeToLive(r -> r.tableName("ttl")).timeToLiveDescription();
        assertThat(d.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
        assertThat(d.attributeName()).isEqualTo("exp");
        assertThatThrownBy(() -> ddb.updateTimeToLive(
                        r -> r.tableName("ttl").timeToLiveSpecification(s -> s.attributeName("exp").enabled(true))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageStartingWith("TimeToLive is already enabled");
    }
}
