package io.shardwise.examples;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.shardwise.examples.ordertotals.OrderTotalsHandler;
import io.shardwise.examples.outbox.OrderOutboxHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks {@code infra/template.yaml} for the settings shardwise relies on. Deployment would succeed without most
 * of them; the consumers would then be subtly wrong (whole batches replayed, a shard blocked for a day, a dedup
 * table the library refuses), so each is pinned here.
 */
class TemplateTest {

    static final Path TEMPLATE = Path.of("..", "infra", "template.yaml");
    /** What {@code DynamoDbDedupStore} requires: see its class comment and {@code checkReady()}. */
    static final String DEDUP_KEY = "id";
    static final String DEDUP_TTL_ATTRIBUTE = "expiration";

    private static Map<String, Object> template;
    private static Map<String, Map<String, Object>> resources;

    @BeforeAll
    static void load() throws Exception {
        template = CloudFormationYaml.load(TEMPLATE);
        resources = new LinkedHashMap<>();
        map(template, "Resources").forEach((name, resource) -> resources.put(name, asMap(resource)));
    }

    @Test
    void everyStreamEventSourceMappingReportsBatchItemFailures() {
        List<Map<String, Object>> mappings = streamMappings();
        assertThat(mappings).as("stream event source mappings in the template").hasSize(2);
        for (Map<String, Object> m : mappings) {
            assertThat(list(m, "FunctionResponseTypes")).as("FunctionResponseTypes of %s", m.get("name"))
                    .contains("ReportBatchItemFailures");
        }
    }

    @Test
    void everyStreamEventSourceMappingBoundsRetriesBisectsAndHasAnOnFailureDestination() {
        for (Map<String, Object> m : streamMappings()) {
            String name = (String) m.get("name");
            assertThat(m.get("BisectBatchOnFunctionError")).as("BisectBatchOnFunctionError of %s", name)
                    .isEqualTo(true);
            // -1 (the default) retries until the record expires, blocking the shard meanwhile.
            assertThat(number(m, "MaximumRetryAttempts")).as("MaximumRetryAttempts of %s", name).isBetween(0, 10_000);
            assertThat(number(m, "MaximumRecordAgeInSeconds")).as("MaximumRecordAgeInSeconds of %s", name)
                    .isBetween(60, 604_800);
            assertThat(number(m, "ParallelizationFactor")).as("ParallelizationFactor of %s", name).isBetween(1, 10);
            assertThat(number(m, "BatchSize")).as("BatchSize of %s", name).isBetween(1, 10_000);
            assertThat(number(m, "MaximumBatchingWindowInSeconds")).as("window of %s", name).isBetween(0, 300);
            // LATEST would skip what was written before the mapping existed: the consumers must see every order.
            assertThat(m.get("StartingPosition")).as("StartingPosition of %s", name).isEqualTo("TRIM_HORIZON");
            assertThat(map(map(m, "DestinationConfig"), "OnFailure")).as("on-failure destination of %s", name)
                    .containsKey("Destination");
        }
    }

    @Test
    void theDedupTableHasTheLibrarysKeyAndTimeToLiveAttribute() {
        Set<String> dedupTables = new java.util.HashSet<>();
        for (Map<String, Object> function : functions().values()) {
            Object ref = environment(function).get("DEDUP_TABLE");
            assertThat(ref).as("DEDUP_TABLE of a function").isInstanceOf(Map.class);
            dedupTables.add((String) asMap(ref).get("Ref"));
        }
        assertThat(dedupTables).as("dedup tables the functions use").hasSize(1);
        Map<String, Object> table = resources.get(dedupTables.iterator().next());
        assertThat(table.get("Type")).isEqualTo("AWS::DynamoDB::Table");
        Map<String, Object> properties = map(table, "Properties");
        assertThat(list(properties, "KeySchema")).as("dedup table key schema")
                .containsExactly(Map.of("AttributeName", DEDUP_KEY, "KeyType", "HASH"));
        assertThat(list(properties, "AttributeDefinitions")).as("dedup table attribute definitions")
                .containsExactly(Map.of("AttributeName", DEDUP_KEY, "AttributeType", "S"));
        assertThat(map(properties, "TimeToLiveSpecification")).as("dedup table Time to Live")
                .containsEntry("AttributeName", DEDUP_TTL_ATTRIBUTE)
                .containsEntry("Enabled", true);
    }

    @Test
    void handlerClassesExistAndAreLambdaRequestHandlersWithANoArgumentConstructor() throws Exception {
        assertThat(functions()).hasSize(2);
        for (Map.Entry<String, Map<String, Object>> f : functions().entrySet()) {
            String handler = (String) map(f.getValue(), "Properties").get("Handler");
            String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
            Class<?> type = Class.forName(className);
            assertThat(RequestHandler.class).as("%s implements RequestHandler", className).isAssignableFrom(type);
            assertThat(type.getConstructor()).as("%s has a public no-argument constructor", className).isNotNull();
            if (handler.contains("::")) {
                String method = handler.substring(handler.indexOf("::") + 2);
                assertThat(type.getMethods()).extracting(java.lang.reflect.Method::getName).contains(method);
            }
        }
    }

    @Test
    void functionsGetTheEnvironmentTheirHandlersRequire() {
        Map<String, List<String>> required = Map.of(
                OrderTotalsHandler.class.getName(), OrderTotalsHandler.REQUIRED_ENVIRONMENT,
                OrderOutboxHandler.class.getName(), OrderOutboxHandler.REQUIRED_ENVIRONMENT);
        for (Map<String, Object> function : functions().values()) {
            String handler = (String) map(function, "Properties").get("Handler");
            String className = handler.replaceAll("::.*", "");
            assertThat(required).containsKey(className);
            assertThat(environment(function)).as("environment of %s", className)
                    .containsKeys(required.get(className).toArray(String[]::new));
        }
    }

    @Test
    void noIamStatementGrantsEveryActionOrEveryResource() {
        List<Map<String, Object>> statements = new ArrayList<>();
        resources.forEach((name, resource) -> {
            Map<String, Object> properties = map(resource, "Properties");
            switch ((String) resource.get("Type")) {
                case "AWS::IAM::Role" -> {
                    for (Object policy : list(properties, "Policies")) {
                        statements.addAll(statementsOf(map(asMap(policy), "PolicyDocument")));
                    }
                    assertThat(properties).as("%s uses no managed policies (AWS's have Resource '*')", name)
                            .doesNotContainKey("ManagedPolicyArns");
                }
                case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" ->
                        statements.addAll(statementsOf(map(properties, "PolicyDocument")));
                case "AWS::Serverless::Function" -> {
                    // A SAM-generated role gets SAM's policies for the event sources (Resource '*'): use our own.
                    assertThat(properties).as("%s has an explicit Role", name).containsKey("Role");
                    assertThat(properties).as("%s has no SAM policies", name).doesNotContainKey("Policies");
                }
                default -> {
                }
            }
        });
        assertThat(statements).as("IAM statements").isNotEmpty();
        for (Map<String, Object> s : statements) {
            assertThat(s).as("statement %s", s.get("Sid")).doesNotContainKeys("NotAction", "NotResource");
            for (Object action : listOrOne(s.get("Action"))) {
                assertThat(action).as("action of %s", s.get("Sid")).isInstanceOf(String.class);
                assertThat((String) action).as("action of %s", s.get("Sid")).isNotEqualTo("*").doesNotEndWith(":*")
                        .doesNotContain("*");
            }
            if (s.get("Principal") == null) { // trust policies name principals, not resources
                assertThat(s).as("statement %s names its resources", s.get("Sid")).containsKey("Resource");
                for (Object resource : listOrOne(s.get("Resource"))) {
                    assertThat(resource).as("resource of %s", s.get("Sid")).isNotEqualTo("*");
                }
            }
        }
    }

    @Test
    void functionsRunJava21WithSnapStartBehindAnAlias() {
        Map<String, Object> globals = map(map(template, "Globals"), "Function");
        for (Map.Entry<String, Map<String, Object>> f : functions().entrySet()) {
            Map<String, Object> properties = new LinkedHashMap<>(globals);
            properties.putAll(map(f.getValue(), "Properties"));
            assertThat(properties.get("Runtime")).as("runtime of %s", f.getKey()).isEqualTo("java21");
            assertThat(map(properties, "SnapStart")).as("SnapStart of %s", f.getKey())
                    .containsEntry("ApplyOn", "PublishedVersions");
            assertThat(properties.get("AutoPublishAlias")).as("alias of %s", f.getKey()).isNotNull();
            assertThat(number(properties, "Timeout")).as("timeout of %s", f.getKey()).isBetween(30, 900);
            assertThat(number(properties, "MemorySize")).as("memory of %s", f.getKey()).isBetween(512, 10_240);
            assertThat(properties.get("CodeUri")).as("CodeUri of %s: the shaded jar", f.getKey())
                    .isEqualTo("../examples/target/shardwise-examples-lambda.jar");
            // sam build would otherwise try to build the jar's directory as a Maven project.
            assertThat(map(f.getValue(), "Metadata")).containsEntry("SkipBuild", true);
        }
    }

    @Test
    void theOrdersTableStreamsBothImagesAndQueuesAreEncrypted() {
        Map<String, Object> orders = map(resources.get("OrdersTable"), "Properties");
        assertThat(map(orders, "StreamSpecification")).containsEntry("StreamViewType", "NEW_AND_OLD_IMAGES");
        resources.forEach((name, resource) -> {
            if ("AWS::SQS::Queue".equals(resource.get("Type"))) {
                Map<String, Object> properties = map(resource, "Properties");
                assertThat(Boolean.TRUE.equals(properties.get("SqsManagedSseEnabled"))
                        || properties.containsKey("KmsMasterKeyId")).as("%s is encrypted", name).isTrue();
            }
        });
    }

    @Test
    void everyConsumerHasIteratorAgeAndParkedRecordAlarms() {
        List<Map<String, Object>> alarms = resources.values().stream()
                .filter(r -> "AWS::CloudWatch::Alarm".equals(r.get("Type")))
                .map(r -> map(r, "Properties")).toList();
        for (Map.Entry<String, Map<String, Object>> f : functions().entrySet()) {
            assertThat(alarms).as("IteratorAge alarm of %s", f.getKey()).anySatisfy(a -> {
                assertThat(a).containsEntry("Namespace", "AWS/Lambda").containsEntry("MetricName", "IteratorAge");
                assertThat(list(a, "Dimensions")).contains(Map.of("Name", "FunctionName",
                        "Value", Map.of("Ref", f.getKey())));
            });
            Object consumer = environment(f.getValue()).get("CONSUMER_NAME");
            assertThat(alarms).as("RecordsParked alarm of consumer %s", consumer).anySatisfy(a -> {
                assertThat(a).containsEntry("Namespace", "shardwise").containsEntry("MetricName", "RecordsParked");
                assertThat(list(a, "Dimensions")).contains(Map.of("Name", "consumer", "Value", consumer));
            });
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> functions = new LinkedHashMap<>();
        resources.forEach((name, r) -> {
            if ("AWS::Serverless::Function".equals(r.get("Type")) || "AWS::Lambda::Function".equals(r.get("Type"))) {
                functions.put(name, r);
            }
        });
        return functions;
    }

    /** Every Kinesis / DynamoDB event source of the functions (SAM events and plain mappings), with a "name". */
    private static List<Map<String, Object>> streamMappings() {
        List<Map<String, Object>> mappings = new ArrayList<>();
        resources.forEach((name, r) -> {
            if ("AWS::Serverless::Function".equals(r.get("Type"))) {
                map(map(r, "Properties"), "Events").forEach((event, definition) -> {
                    Map<String, Object> e = asMap(definition);
                    if (Set.of("Kinesis", "DynamoDB").contains(e.get("Type"))) {
                        Map<String, Object> m = new LinkedHashMap<>(map(e, "Properties"));
                        m.put("name", name + "." + event);
                        mappings.add(m);
                    }
                });
            } else if ("AWS::Lambda::EventSourceMapping".equals(r.get("Type"))) {
                Map<String, Object> m = new LinkedHashMap<>(map(r, "Properties"));
                m.put("name", name);
                mappings.add(m);
            }
        });
        return mappings;
    }

    private static Map<String, Object> environment(Map<String, Object> function) {
        return map(map(map(function, "Properties"), "Environment"), "Variables");
    }

    private static List<Map<String, Object>> statementsOf(Map<String, Object> document) {
        return listOrOne(document.get("Statement")).stream().map(TemplateTest::asMap).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        return asMap(parent.get(key));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> listOrOne(Object value) {
        return value == null ? List.of() : value instanceof List<?> l ? (List<Object>) l : List.of(value);
    }

    private static int number(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Integer.class);
        return (Integer) value;
    }
}
