package io.shardwise.ddb;

import io.shardwise.core.NonRetryableException;
import io.shardwise.ddb.internal.AttributeValues;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every DynamoDB attribute type, nested, from a golden event deserialized as the Java runtime does, through the
 * AWS transformer library to SDK v2 and on to typed items. Also pins the transformer's gaps and our workaround.
 */
class AttributeConversionTest {

    private static final String N38 = "12345678901234567890123456789012345678";
    private static final String N38_FRACTION = "1234567890123456789012345678.9012345678";

    private static Map<String, AttributeValue> allTypesImage() throws Exception {
        ChangeRecord<EnhancedDocument> insert =
                Fixtures.changes("all-attribute-types.json", Schemas.document("id")).get(0);
        return insert.newImageAttributes().orElseThrow();
    }

    @Test
    void scalarsConvertExactly() throws Exception {
        Map<String, AttributeValue> image = allTypesImage();

        assertThat(image.get("s")).isEqualTo(AttributeValue.fromS("h\u00e9llo \"quoted\" \\ back\nslash \u2603"));
        assertThat(image.get("emptyS")).isEqualTo(AttributeValue.fromS(""));
        assertThat(image.get("n38").n()).isEqualTo(N38);
        assertThat(image.get("nFraction38").n()).isEqualTo(N38_FRACTION);
        assertThat(image.get("nTiny").n()).isEqualTo("-1E-130");
        assertThat(image.get("nHuge").n()).isEqualTo("9.9999999999999999999999999999999999999E+125");
        assertThat(image.get("b")).isEqualTo(AttributeValue.fromB(SdkBytes.fromByteArray(
                new byte[]{0, 1, 2, (byte) 0xFF, (byte) 0xFE})));
        assertThat(image.get("yes")).isEqualTo(AttributeValue.fromBool(true));
        assertThat(image.get("no")).isEqualTo(AttributeValue.fromBool(false));
        assertThat(image.get("nothing")).isEqualTo(AttributeValue.fromNul(true));
    }

    @Test
    void setsConvertExactly() throws Exception {
        Map<String, AttributeValue> image = allTypesImage();

        assertThat(image.get("ss").ss()).containsExactly("a", "b", "c d");
        assertThat(image.get("ns").ns()).containsExactly("1", "2.5", N38);
        assertThat(image.get("bs").bs()).containsExactly(SdkBytes.fromByteArray(new byte[]{0, 1}),
                SdkBytes.fromByteArray(new byte[]{(byte) 0xFF, (byte) 0xFF}));
    }

    @Test
    void listsAndMapsConvertExactlyAtAnyDepth() throws Exception {
        Map<String, AttributeValue> image = allTypesImage();

        assertThat(image.get("emptyL").hasL()).isTrue();
        assertThat(image.get("emptyL").l()).isEmpty();
        assertThat(image.get("emptyM").hasM()).isTrue();
        assertThat(image.get("emptyM").m()).isEmpty();

        assertThat(image.get("l").l()).containsExactly(
                AttributeValue.fromS("x"),
                AttributeValue.fromN("-0.5"),
                AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1})),
                AttributeValue.fromBool(false),
                AttributeValue.fromNul(true),
                AttributeValue.fromSs(List.of("p", "q")),
                AttributeValue.fromNs(List.of("3", "4")),
                AttributeValue.fromBs(List.of(SdkBytes.fromByteArray(new byte[]{2}))),
                AttributeValue.fromL(List.of()),
                AttributeValue.fromM(Map.of()),
                AttributeValue.fromL(List.of(AttributeValue.fromL(List.of(AttributeValue.fromS("deep"))))));

        Map<String, AttributeValue> level3 = image.get("m").m().get("level1").m().get("level2").m().get("level3").m();
        assertThat(level3).isEqualTo(Map.of(
                "n", AttributeValue.fromN("98765432109876543210987654321098765432"),
                "b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{(byte) 0xFF})),
                "ss", AttributeValue.fromSs(List.of("z")),
                "l", AttributeValue.fromL(List.of(AttributeValue.fromM(Map.of(
                        "k", AttributeValue.fromS("v"), "nul", AttributeValue.fromNul(true)))))));
    }

    @Test
    void aThirtyEightDigitNumberRoundTripsExactlyIntoTypedItems() throws Exception {
        ChangeRecord<Thing> insert = Fixtures.changes("all-attribute-types.json", Thing.SCHEMA).get(0);
        Thing thing = insert.newImage().orElseThrow();

        assertThat(thing.getN38()).isEqualTo(new BigDecimal(N38));
        assertThat(thing.getN38().toPlainString()).isEqualTo(N38);
        assertThat(thing.getN38().precision()).isEqualTo(38);
        assertThat(thing.getNFraction38().toPlainString()).isEqualTo(N38_FRACTION);
        assertThat(thing.getNTiny()).isEqualTo(new BigDecimal("-1E-130"));
        assertThat(thing.getNHuge()).isEqualTo(new BigDecimal("9.9999999999999999999999999999999999999E+125"));
        assertThat(thing.getNs()).contains(new BigDecimal(N38));
        assertThat(thing.getB().asByteArray()).containsExactly(0, 1, 2, 0xFF, 0xFE);
        assertThat(thing.getSs()).containsExactlyInAnyOrder("a", "b", "c d");
        assertThat(thing.getYes()).isTrue();
        assertThat(thing.getNo()).isFalse();
        // Mapped back by the same schema, the item gives the same numbers, digit for digit.
        assertThat(Thing.SCHEMA.itemToMap(thing, true).get("n38").n()).isEqualTo(N38);

        EnhancedDocument document =
                Fixtures.changes("all-attribute-types.json", Schemas.document("id")).get(0).newImage().orElseThrow();
        assertThat(document.getNumber("n38").bigDecimalValue()).isEqualTo(new BigDecimal(N38));
        assertThat(document.getNumber("n38").stringValue()).isEqualTo(N38);
    }

    @Test
    void changedAttributesCompareByMeaningAcrossEveryType() throws Exception {
        ChangeRecord<EnhancedDocument> modify =
                Fixtures.changes("all-attribute-types.json", Schemas.document("id")).get(1);

        // n38 (trailing zeros), ss and ns (order, 2.5 vs 2.50) and m (1 vs 1.0, entry order) are unchanged;
        // l changed order; flag changed type; added/gone appeared/disappeared.
        assertThat(modify.changedAttributes()).containsExactly("added", "flag", "gone", "l");
        assertThat(modify.addedAttributes()).containsExactly("added");
        assertThat(modify.removedAttributes()).containsExactly("gone");
    }

    @Test
    void binaryBuffersAreNotConsumedByConversion() {
        var value = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        value.setB(ByteBuffer.wrap(new byte[]{7, 8, 9}));
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> map = Map.of("b", value);

        Map<String, AttributeValue> first = AttributeValues.toSdkV2(map, "NewImage");
        Map<String, AttributeValue> second = AttributeValues.toSdkV2(map, "NewImage");

        assertThat(first.get("b").b().asByteArray()).containsExactly(7, 8, 9);
        assertThat(second).isEqualTo(first);
        assertThat(value.getB().remaining()).isEqualTo(3);
    }

    /**
     * The transformer (3.1.0) turns an empty set into an AttributeValue with no type at all. DynamoDB cannot store
     * an empty set, so such a record is malformed: we reject it with a message instead of passing a typeless value.
     */
    @Test
    void transformerGapEmptySetIsRejectedNotPassedOnTypeless() {
        var emptySet = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        emptySet.setSS(List.of());
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> map = Map.of("tags", emptySet);

        // The gap itself, pinned: if a transformer upgrade fixes it, this line tells us the workaround can go.
        assertThat(com.amazonaws.services.lambda.runtime.events.transformers.v2.dynamodb.DynamodbAttributeValueTransformer
                .toAttributeValueV2(emptySet).type()).isEqualTo(AttributeValue.Type.UNKNOWN_TO_SDK_VERSION);

        assertThatThrownBy(() -> AttributeValues.toSdkV2(map, "NewImage"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessage("Attribute NewImage.tags has no type: an empty set (SS, NS or BS), which DynamoDB cannot "
                        + "store, or an unknown type. Not a valid DynamoDB stream record");

        var nested = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        nested.setL(List.of(new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue()
                .withM(Map.of("ns", new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue()
                        .withNS(List.of())))));
        assertThatThrownBy(() -> AttributeValues.toSdkV2(Map.of("l", nested), "OldImage"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageStartingWith("Attribute OldImage.l[0].ns has no type");
    }

    @Test
    void nullAndUntypedValuesAreRejectedWithTheAttributeName() {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> withNull = new HashMap<>();
        withNull.put("a", null);
        assertThatThrownBy(() -> AttributeValues.toSdkV2(withNull, "Keys"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessage("Keys has an attribute 'a' with no value: not a valid DynamoDB stream record");

        var untyped = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        assertThatThrownBy(() -> AttributeValues.toSdkV2(Map.of("u", untyped), "NewImage"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageStartingWith("NewImage holds a value that is not a DynamoDB attribute value: "
                        + "java.lang.IllegalArgumentException: Unsupported attributeValue type");
    }

    @Test
    void canonicalKeyIsSortedTypedAndNormalised() {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("sk", AttributeValue.fromN("42.0"));
        a.put("pk", AttributeValue.fromS("user#1"));
        Map<String, AttributeValue> b = Map.of("pk", AttributeValue.fromS("user#1"), "sk", AttributeValue.fromN("4.2E1"));

        assertThat(AttributeValues.canonicalKey(a)).isEqualTo("{\"pk\":{\"S\":\"user#1\"},\"sk\":{\"N\":\"42\"}}");
        assertThat(AttributeValues.canonicalKey(b)).isEqualTo(AttributeValues.canonicalKey(a));
        assertThat(AttributeValues.canonicalKey(Map.of("k", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1, 2})))))
                .isEqualTo("{\"k\":{\"B\":\"AQI=\"}}");
    }

    @Test
    void canonicalKeyIsUnambiguous() {
        // Same characters, different split between names and values, or different types: different keys.
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        keys.add(Map.of("a", AttributeValue.fromS("b\",\"c\":{\"S\":\"d")));
        keys.add(Map.of("a", AttributeValue.fromS("b"), "c", AttributeValue.fromS("d")));
        keys.add(Map.of("a", AttributeValue.fromS("1")));
        keys.add(Map.of("a", AttributeValue.fromN("1")));
        keys.add(Map.of("a", AttributeValue.fromS("AQ==")));
        keys.add(Map.of("a", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1}))));
        keys.add(Map.of("a|b", AttributeValue.fromS("c")));
        keys.add(Map.of("a", AttributeValue.fromS("b|c")));
        assertThat(keys.stream().map(AttributeValues::canonicalKey).distinct()).hasSize(keys.size());
    }
}
