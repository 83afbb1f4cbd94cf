package io.shardwise.examples;

import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.shardwise.examples.TemplateTest.asMap;
import static io.shardwise.examples.TemplateTest.list;
import static io.shardwise.examples.TemplateTest.map;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The dedup table exactly as {@code infra/template.yaml} defines it (key schema, attribute types, Time to Live),
 * created in the embedded DynamoDB engine, passes the library's own start-up check: the template and the library agree by
 * construction, not by two copies of a constant.
 */
class TemplateDedupTableIT {

    @Test
    void theTemplatesDedupTablePassesTheLibrarysStartUpCheck() throws Exception {
        Map<String, Object> properties = map(map(map(CloudFormationYaml.load(TemplateTest.TEMPLATE), "Resources"),
                "DedupTable"), "Properties");
        DynamoDbClient dynamoDb = LocalEmulators.dynamoDb().client();
        String table = "template-dedup-" + UUID.randomUUID().toString().substring(0, 8);
        List<KeySchemaElement> keys = list(properties, "KeySchema").stream().map(TemplateTest::asMap)
                .map(k -> KeySchemaElement.builder().attributeName((String) k.get("AttributeName"))
                        .keyType((String) k.get("KeyType")).build()).toList();
        List<AttributeDefinition> attributes = list(properties, "AttributeDefinitions").stream()
                .map(TemplateTest::asMap)
                .map(a -> AttributeDefinition.builder().attributeName((String) a.get("AttributeName"))
                        .attributeType((String) a.get("AttributeType")).build()).toList();
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST).keySchema(keys)
                .attributeDefinitions(attributes));
        Map<String, Object> ttl = asMap(properties.get("TimeToLiveSpecification"));
        dynamoDb.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(s -> s
                .enabled((Boolean) ttl.get("Enabled")).attributeName((String) ttl.get("AttributeName"))));

        assertThatCode(() -> DynamoDbDedupStore.builder(dynamoDb, table).build().checkReady())
                .doesNotThrowAnyException();
    }
}
