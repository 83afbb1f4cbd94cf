package io.shardwise.testkit.dynamodb.expression;

import static io.shardwise.testkit.dynamodb.expression.Av.ctx;
import static io.shardwise.testkit.dynamodb.expression.Av.item;
import static io.shardwise.testkit.dynamodb.expression.Av.l;
import static io.shardwise.testkit.dynamodb.expression.Av.m;
import static io.shardwise.testkit.dynamodb.expression.Av.n;
import static io.shardwise.testkit.dynamodb.expression.Av.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Developer Guide, "Using projection expressions in DynamoDB"; errors as AWS records them. */
class ProjectionExpressionTest {
    private static final Map<String, AttributeValue> ITEM = item(
            "id", s("k"),
            "title", s("Book"),
            "info", m("pages", n("100"), "authors", l(s("A"), s("B"), s("C")), "meta", m("isbn", s("1"), "lang", s("en"))),
            "reviews", l(m("stars", n("5"), "reviewer", s("x")), m("stars", n("3"), "reviewer", s("y"))));

    private static Map<String, AttributeValue> project(String expression, Object... ctx) {
        return Expressions.parseProjection(expression, ctx(ctx)).project(ITEM);
    }

    // "A projection expression is a string that identifies the attributes that you want."
    @Test
    void topLevelAttributes() {
        assertThat(project("id, title")).isEqualTo(item("id", s("k"), "title", s("Book")));
        assertThat(project("id, absent")).isEqualTo(item("id", s("k")));
    }

    // Nested attributes are returned inside their enclosing maps.
    @Test
    void nestedMapPaths() {
        assertThat(project("info.pages, info.meta.lang"))
                .isEqualTo(item("info", m("pages", n("100"), "meta", m("lang", s("en")))));
        assertThat(project("info.absent")).isEmpty();
    }

    // List elements by index are returned in a list holding only those elements, in index order.
    @Test
    void listIndexes() {
        assertThat(project("info.authors[2], info.authors[0]")).isEqualTo(item("info", m("authors", l(s("A"), s("C")))));
        assertThat(project("reviews[1].stars")).isEqualTo(item("reviews", l(m("stars", n("3")))));
        assertThat(project("info.authors[9]")).isEmpty();
        assertThat(project("title[0], info.pages.x")).isEmpty();
    }

    // Expression attribute names in projections.
    @Test
    void aliases() {
        assertThat(project("#i.#m.isbn", "#i", "info", "#m", "meta")).isEqualTo(item("info", m("meta", m("isbn", s("1")))));
    }

    // AWS-recorded: overlapping and conflicting paths are refused.
    @Test
    void overlappingPathsAreRefused() {
        assertThatThrownBy(() -> project("info, info.pages")).hasMessage(
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these "
                        + "paths; path one: [info], path two: [info, pages]");
        assertThatThrownBy(() -> project("id, id")).hasMessage(
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these "
                        + "paths; path one: [id], path two: [id]");
        assertThatThrownBy(() -> project("reviews[0].reviewer, reviews.reviewer")).hasMessage(
                "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of "
                        + "these paths; path one: [reviews, [0], reviewer], path two: [reviews, reviewer]");
    }

    // AWS-recorded: "Invalid ProjectionExpression: The expression can not be empty;".
    @Test
    void emptyProjectionIsRefused() {
        assertThatThrownBy(() -> project("  ")).hasMessage("Invalid ProjectionExpression: The expression can not be empty;");
    }

    // Reserved words: "Attribute name is a reserved keyword; reserved keyword: name".
    @Test
    void reservedWordsMustBeAliased() {
        assertThatThrownBy(() -> project("id, name"))
                .hasMessage("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name");
        assertThat(project("id, #n", "#n", "name")).isEqualTo(item("id", s("k")));
    }
}
