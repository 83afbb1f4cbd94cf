package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.bs;
import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.item;
import static io.shardwise.testkit.dynamodb.expression.Av.l;
import static io.shardwise.testkit.dynamodb.expression.Av.m;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.ns;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static io.shardwise.testkit.dynamodb.expression.Av.ss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Developer Guide, "Using update expressions in DynamoDB" (SET, REMOVE, ADD, DELETE); runtime messages AWS-recorded. */
class UpdateExpressionTest {

    private static UpdateResult update(Map<String, AttributeValue> item, String expression, Object... ctx) {
        return Expressions.parseUpdate(expression, ctx(ctx)).apply(item);
    }

    private static Map<String, AttributeValue> apply(Map<String, AttributeValue> item, String expression, Object... ctx) {
        return update(item, expression, ctx).item();
    }

    // SET — modifying or adding item attributes; the argument is never mutated.
    @Test
    void setAddsAndReplacesTopLevelAttributesOnACopy() {
        Map<String, AttributeValue> before = new HashMap<>(item("id", s("1"), "qty", n("1")));
        Map<String, AttributeValue> after = apply(before, "SET qty = :q, label = :l", ":q", n("5"), ":l", s("x"));
        assertThat(after).isEqualTo(item("id", s("1"), "qty", n("5"), "label", s("x")));
        assertThat(before).isEqualTo(item("id", s("1"), "qty", n("1")));
    }

    // SET — incrementing and decrementing numeric attributes with + and -.
    @Test
    void setWithArithmetic() {
        Map<String, AttributeValue> item = item("qty", n("10"), "price", n("2.5"));
        assertThat(apply(item, "SET qty = qty - :one", ":one", n("1"))).containsEntry("qty", n("9"));
        assertThat(apply(item, "SET amount = qty + price")).containsEntry("amount", n("12.5"));
        assertThat(apply(item, "SET qty = :a + :b", ":a", n("0.1"), ":b", n("0.2"))).containsEntry("qty", n("0.3"));
    }

    // SET — preventing overwrites of an existing attribute with if_not_exists.
    @Test
    void ifNotExistsKeepsTheExistingValue() {
        Map<String, AttributeValue> item = item("qty", n("10"));
        assertThat(apply(item, "SET qty = if_not_exists(qty, :z)", ":z", n("0"))).containsEntry("qty", n("10"));
        assertThat(apply(item, "SET seen = if_not_exists(seen, :z)", ":z", n("0"))).containsEntry("seen", n("0"));
        // The library's attempt counter: if_not_exists(attempts, :zero) + :one.
        assertThat(apply(item, "SET attempts = if_not_exists(attempts, :zero) + :one", ":zero", n("0"), ":one", n("1")))
                .containsEntry("attempts", n("1"));
    }

    // SET — appending elements to a list with list_append (either order).
    @Test
    void listAppendJoinsLists() {
        Map<String, AttributeValue> item = item("history", l(s("a")));
        assertThat(apply(item, "SET history = list_append(history, :v)", ":v", l(s("b"), s("c"))))
                .containsEntry("history", l(s("a"), s("b"), s("c")));
        assertThat(apply(item, "SET history = list_append(:v, history)", ":v", l(s("z"))))
                .containsEntry("history", l(s("z"), s("a")));
        assertThat(apply(item, "SET history2 = list_append(if_not_exists(history2, :empty), :v)", ":empty", l(), ":v", l(s("q"))))
                .containsEntry("history2", l(s("q")));
    }

    // SET — adding nested map attributes and list elements; an index past the end appends.
    @Test
    void setOnNestedPathsAndListIndexes() {
        Map<String, AttributeValue> item = item("info", m("dims", l(n("1"), n("2"))), "tags", l(s("a"), s("b")));
        assertThat(apply(item, "SET info.color = :c", ":c", s("red")))
                .containsEntry("info", m("dims", l(n("1"), n("2")), "color", s("red")));
        assertThat(apply(item, "SET info.dims[0] = :v", ":v", n("9")))
                .containsEntry("info", m("dims", l(n("9"), n("2"))));
        assertThat(apply(item, "SET tags[1] = :v", ":v", s("B"))).containsEntry("tags", l(s("a"), s("B")));
        assertThat(apply(item, "SET tags[7] = :v", ":v", s("c"))).containsEntry("tags", l(s("a"), s("b"), s("c")));
        assertThat(apply(item, "SET tags[5] = :v, tags[6] = :w", ":v", s("c"), ":w", s("d")))
                .containsEntry("tags", l(s("a"), s("b"), s("c"), s("d")));
    }

    // Right-hand sides read the item as it was before the update.
    @Test
    void rightHandSidesReadTheOriginalItem() {
        Map<String, AttributeValue> item = item("a", n("1"), "b", n("2"));
        assertThat(apply(item, "SET a = b, b = a")).containsEntry("a", n("2")).containsEntry("b", n("1"));
    }

    // SET — "The document path provided in the update expression is invalid for update" (AWS-recorded).
    @Test
    void setIntoAMissingOrNonMapParentFails() {
        Map<String, AttributeValue> item = item("info", m("x", n("1")), "qty", n("1"), "tags", l(s("a")));
        String message = "The document path provided in the update expression is invalid for update";
        assertThatThrownBy(() -> apply(item, "SET nope.x = :v", ":v", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "SET info.y.z = :v", ":v", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "SET qty.x = :v", ":v", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "SET info[0] = :v", ":v", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "SET tags.a = :v", ":v", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "SET tags[3].a = :v", ":v", n("1"))).hasMessage(message);
    }

    // SET — an operand that names a missing attribute (AWS-recorded message).
    @Test
    void setFromAMissingAttributeFails() {
        assertThatThrownBy(() -> apply(item(), "SET qty = qty + :one", ":one", n("1")))
                .hasMessage("The provided expression refers to an attribute that does not exist in the item");
        assertThatThrownBy(() -> apply(item(), "SET history = list_append(history, :v)", ":v", l(s("x"))))
                .hasMessage("The provided expression refers to an attribute that does not exist in the item");
    }

    // SET — arithmetic and list_append on stored values of the wrong type (AWS-recorded message).
    @Test
    void operandsOfTheWrongStoredTypeFail() {
        Map<String, AttributeValue> item = item("label", s("x"), "qty", n("1"));
        String message = "An operand in the update expression has an incorrect data type";
        assertThatThrownBy(() -> apply(item, "SET qty = label + :one", ":one", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "SET qty = list_append(qty, :v)", ":v", l(s("x")))).hasMessage(message);
    }

    // SET — number results keep DynamoDB's range.
    @Test
    void arithmeticOverflowIsRefused() {
        Map<String, AttributeValue> item = item("big", n("9.9999999999999999999999999999999999999E+125"));
        assertThatThrownBy(() -> apply(item, "SET big = big + :v", ":v", n("9E+125")))
                .hasMessage("Number overflow. Attempting to store a number with magnitude larger than supported range");
    }

    // REMOVE — several attributes, nested attributes, list elements (later elements shift down).
    @Test
    void removeSeveralPathsAndListElements() {
        Map<String, AttributeValue> item = item("a", n("1"), "b", n("2"), "c", n("3"),
                "info", m("x", n("1"), "y", n("2")), "tags", l(s("t0"), s("t1"), s("t2"), s("t3")));
        assertThat(apply(item, "REMOVE a, b, info.x"))
                .isEqualTo(item("c", n("3"), "info", m("y", n("2")), "tags", l(s("t0"), s("t1"), s("t2"), s("t3"))));
        assertThat(apply(item, "REMOVE tags[1], tags[2]")).containsEntry("tags", l(s("t0"), s("t3")));
        assertThat(apply(item, "REMOVE tags[0]")).containsEntry("tags", l(s("t1"), s("t2"), s("t3")));
        assertThat(apply(item, "REMOVE nothing, info.nothing, tags[9]")).isEqualTo(item);
    }

    // ADD — numbers (adds, or creates the attribute starting from 0).
    @Test
    void addToNumbers() {
        Map<String, AttributeValue> item = item("qty", n("5"));
        assertThat(apply(item, "ADD qty :v", ":v", n("-2"))).containsEntry("qty", n("3"));
        assertThat(apply(item, "ADD visits :v", ":v", n("1"))).containsEntry("visits", n("1"));
        assertThat(apply(item, "ADD qty :v, visits :v", ":v", n("1.5")))
                .containsEntry("qty", n("6.5")).containsEntry("visits", n("1.5"));
    }

    // ADD — sets (union; creates a missing set).
    @Test
    void addToSets() {
        Map<String, AttributeValue> item = item("tags", ss("a", "b"), "nums", ns("1"), "blobs", bs("x"));
        assertThat(apply(item, "ADD tags :v", ":v", ss("b", "c"))).containsEntry("tags", ss("a", "b", "c"));
        assertThat(apply(item, "ADD nums :v", ":v", ns("1.0", "2"))).containsEntry("nums", ns("1", "2"));
        assertThat(apply(item, "ADD blobs :v", ":v", bs("y"))).containsEntry("blobs", bs("x", "y"));
        assertThat(apply(item, "ADD fresh :v", ":v", ss("z"))).containsEntry("fresh", ss("z"));
    }

    // ADD — a stored value of another type (AWS-recorded runtime message).
    @Test
    void addToAnAttributeOfAnotherTypeFails() {
        Map<String, AttributeValue> item = item("tags", ss("a"), "qty", n("1"), "nums", ns("1"));
        String message = "An operand in the update expression has an incorrect data type";
        assertThatThrownBy(() -> apply(item, "ADD tags :v", ":v", n("1"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "ADD qty :v", ":v", ss("a"))).hasMessage(message);
        assertThatThrownBy(() -> apply(item, "ADD nums :v", ":v", ss("a"))).hasMessage(message);
    }

    // DELETE — removing elements from a set; removing the last element removes the attribute.
    @Test
    void deleteFromSets() {
        Map<String, AttributeValue> item = item("tags", ss("a", "b", "c"), "nums", ns("1", "2"));
        assertThat(apply(item, "DELETE tags :v", ":v", ss("a", "x"))).containsEntry("tags", ss("b", "c"));
        assertThat(apply(item, "DELETE nums :v", ":v", ns("2.0"))).containsEntry("nums", ns("1"));
        assertThat(apply(item, "DELETE tags :v", ":v", ss("a", "b", "c"))).doesNotContainKey("tags");
        assertThat(apply(item, "DELETE nothing :v", ":v", ss("a"))).isEqualTo(item);
        assertThatThrownBy(() -> apply(item, "DELETE tags :v", ":v", ns("1")))
                .hasMessage("An operand in the update expression has an incorrect data type");
    }

    // Update expressions: clauses combine, in any order, keywords in any case.
    @Test
    void clausesCombine() {
        Map<String, AttributeValue> item = item("a", n("1"), "tags", ss("x", "y"), "stale", s("o"));
        Map<String, AttributeValue> after = apply(item,
                "delete tags :d add count_ :one set b = :b remove stale", ":d", ss("x"), ":one", n("1"), ":b", s("B"));
        assertThat(after).isEqualTo(item("a", n("1"), "tags", ss("y"), "count_", n("1"), "b", s("B")));
    }

    // The library's dedup marker update: SET with if_not_exists, REMOVE, ADD in one expression.
    @Test
    void theLibrarysMarkerUpdate() {
        UpdateExpression u = Expressions.parseUpdate(
                "SET #status = :done, #exp = :ttl, attempts = if_not_exists(attempts, :zero) REMOVE lease ADD writes :one",
                ctx("#status", "status", "#exp", "expires", ":done", s("COMPLETED"), ":ttl", n("99"), ":zero", n("0"),
                        ":one", n("1")));
        Map<String, AttributeValue> after = u.apply(item("id", s("k"), "status", s("IN_PROGRESS"), "lease", n("5"))).item();
        assertThat(after).isEqualTo(item("id", s("k"), "status", s("COMPLETED"), "expires", n("99"), "attempts", n("0"),
                "writes", n("1")));
        assertThat(u.topLevelAttributes()).containsExactlyInAnyOrder("status", "expires", "attempts", "lease", "writes");
    }

    // ReturnValues UPDATED_OLD / UPDATED_NEW: only the updated attributes, nested paths inside their parents.
    @Test
    void updatedOldAndNewHoldOnlyTheUpdatedPaths() {
        Map<String, AttributeValue> item = item("id", s("k"), "qty", n("1"), "info", m("x", n("1"), "y", n("2")), "gone", s("g"));
        UpdateResult r = update(item, "SET qty = qty + :one, info.x = :v REMOVE gone ADD fresh :one",
                ":one", n("1"), ":v", n("7"));
        assertThat(r.updatedOld()).isEqualTo(item("qty", n("1"), "info", m("x", n("1")), "gone", s("g")));
        assertThat(r.updatedNew()).isEqualTo(item("qty", n("2"), "info", m("x", n("7")), "fresh", n("1")));
    }

    // AWS (paritysuite conformance, eu-west-2): UPDATED_NEW holds every subpath one SET wrote; SET l[0] on an empty list.
    @Test
    void severalSubpathsOfOneMapAndTheFirstElementOfAnEmptyList() {
        UpdateResult r = update(item("a", m("existing", s("e")), "l", l()), "SET #a.#b = :x, #a.#c = :y, l[0] = :x",
                "#a", "a", "#b", "b", "#c", "c", ":x", s("x"), ":y", s("y"));
        assertThat(r.updatedNew()).isEqualTo(item("a", m("b", s("x"), "c", s("y")), "l", l(s("x"))));
        assertThat(r.item()).containsEntry("a", m("existing", s("e"), "b", s("x"), "c", s("y")));
    }

    // ReturnValues: a removed path has no new value, so UPDATED_NEW leaves it out (not the element that shifted into it).
    @Test
    void removedListElementsAreNotInUpdatedNew() {
        UpdateResult r = update(item("l", l(s("a"), s("b"), s("c"))), "REMOVE l[1]");
        assertThat(r.updatedOld()).isEqualTo(item("l", l(s("b"))));
        assertThat(r.updatedNew()).isEmpty();
        assertThat(r.item()).isEqualTo(item("l", l(s("a"), s("c"))));
    }

    // ReturnValues UPDATED_NEW after SET past the end of a list: the appended element, where it landed.
    @Test
    void appendedElementIsInUpdatedNew() {
        UpdateResult r = update(item("l", l(s("a"))), "SET l[9] = :v", ":v", s("z"));
        assertThat(r.item()).isEqualTo(item("l", l(s("a"), s("z"))));
        assertThat(r.updatedOld()).isEmpty();
        assertThat(r.updatedNew()).isEqualTo(item("l", l(s("z"))));
    }

    // Top-level attributes the update touches: the engine refuses updates of key attributes with them.
    @Test
    void topLevelAttributesOfNestedPaths() {
        UpdateExpression u = Expressions.parseUpdate("SET a.b[1].c = :v, #k = :v REMOVE d[0]",
                ctx("#k", "pk", ":v", n("1")));
        assertThat(u.topLevelAttributes()).containsExactlyInAnyOrder("a", "pk", "d");
    }
}
