package io.shardwise.testkit.dynamodb.expression;

import io.shardwise.testkit.dynamodb.expression.Condition.Comparator;
import io.shardwise.testkit.dynamodb.expression.Token.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Recursive-descent parser for the four expression kinds. Errors carry AWS's wording, prefixed with the parameter's
 * name ({@code Invalid ConditionExpression: ...}). As in DynamoDB, syntax is checked first; the first semantic problem
 * met on the way (reserved word, undefined alias, wrong operand type) is reported only once the text parsed.
 *
 * <p>Precedence (Developer Guide, "Comparison operator and function reference", Precedence in conditions): comparators,
 * IN, BETWEEN, functions, parentheses, then NOT, AND, OR.
 */
final class Parser {
    static final int MAX_IN_OPERANDS = 100;
    static final int MAX_EXPRESSION_BYTES = 4096;
    private static final Set<String> CONDITION_FUNCTIONS =
            Set.of("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains");
    private static final Set<String> TYPE_CODES = Set.of("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M");

    private final String parameter;
    private final String text;
    private final List<Token> tokens;
    private final ExpressionContext ctx;
    private final Set<Condition> parenthesized = Collections.newSetFromMap(new IdentityHashMap<>());
    private int pos;
    private String deferred;
    private boolean deferredAtParseStage;

    private Parser(String parameter, String text, ExpressionContext ctx) {
        this.parameter = parameter;
        this.text = text == null ? "" : text;
        this.tokens = Lexer.tokenize(this.text);
        this.ctx = ctx;
    }

    // ---- entry points -------------------------------------------------------------------------------------------

    static Condition condition(String parameter, String text, ExpressionContext ctx) {
        Parser p = new Parser(parameter, text, ctx);
        p.requireNotEmpty();
        Condition c = p.parseOr();
        p.expect(Kind.EOF);
        p.throwDeferred();
        return c;
    }

    static List<DocumentPath> projection(String text, ExpressionContext ctx) {
        Parser p = new Parser("ProjectionExpression", text, ctx);
        p.requireNotEmpty();
        List<DocumentPath> paths = new ArrayList<>();
        paths.add(p.parsePath());
        while (p.accept(Kind.COMMA)) {
            paths.add(p.parsePath());
        }
        p.expect(Kind.EOF);
        p.throwDeferred();
        p.checkDisjoint(paths);
        return paths;
    }

    static List<UpdateAction> update(String text, ExpressionContext ctx) {
        Parser p = new Parser("UpdateExpression", text, ctx);
        p.requireNotEmpty();
        List<UpdateAction> actions = new ArrayList<>();
        Map<String, Integer> sections = new LinkedHashMap<>();
        String repeated = null;
        do {
            Token keyword = p.peek();
            String section = keyword.kind() == Kind.IDENTIFIER ? keyword.text().toUpperCase(Locale.ROOT) : "";
            if (!Set.of("SET", "REMOVE", "ADD", "DELETE").contains(section)) {
                throw p.syntaxError(keyword);
            }
            p.pos++;
            if (sections.merge(section, 1, Integer::sum) > 1 && repeated == null) {
                repeated = section;
            }
            do {
                actions.add(p.parseUpdateAction(section));
            } while (p.accept(Kind.COMMA));
        } while (p.peek().kind() != Kind.EOF);
        p.throwDeferred();
        if (repeated != null) {
            throw p.invalid("The \"" + repeated + "\" section can only be used once in an update expression;");
        }
        p.checkDisjoint(actions.stream().map(UpdateAction::path).toList());
        return actions;
    }

    // ---- conditions ---------------------------------------------------------------------------------------------

    private Condition parseOr() {
        Condition left = parseAnd();
        while (acceptKeyword("OR")) {
            left = new Condition.Or(left, parseAnd());
        }
        return left;
    }

    private Condition parseAnd() {
        Condition left = parseNot();
        while (acceptKeyword("AND")) {
            left = new Condition.And(left, parseNot());
        }
        return left;
    }

    private Condition parseNot() {
        if (acceptKeyword("NOT")) {
            return new Condition.Not(parseNot());
        }
        return parsePrimary();
    }

    private Condition parsePrimary() {
        if (accept(Kind.LPAREN)) {
            Condition inner = parseOr();
            expect(Kind.RPAREN);
            if (parenthesized.contains(inner)) {
                defer("The expression has redundant parentheses;");
            }
            parenthesized.add(inner);
            return inner;
        }
        Operand left;
        if (peek().kind() == Kind.IDENTIFIER && peek(1).kind() == Kind.LPAREN) {
            String function = peek().text();
            if (CONDITION_FUNCTIONS.contains(function)) {
                return conditionFunction(function, parseArguments());
            }
            left = operandFunction(function, parseArguments());
        } else {
            left = parseOperand();
        }
        return parseComparison(left);
    }

    private Condition parseComparison(Operand left) {
        Token t = peek();
        Comparator comparator = switch (t.kind()) {
            case EQ -> Comparator.EQ;
            case NE -> Comparator.NE;
            case LT -> Comparator.LT;
            case LE -> Comparator.LE;
            case GT -> Comparator.GT;
            case GE -> Comparator.GE;
            default -> null;
        };
        if (comparator != null) {
            pos++;
            return new Condition.Compare(left, comparator, parseOperand());
        }
        if (acceptKeyword("BETWEEN")) {
            Operand lower = parseOperand();
            expectKeyword("AND");
            Operand upper = parseOperand();
            checkBounds(lower, upper);
            return new Condition.Between(left, lower, upper);
        }
        if (acceptKeyword("IN")) {
            expect(Kind.LPAREN);
            List<Operand> candidates = new ArrayList<>();
            do {
                candidates.add(parseOperand());
            } while (accept(Kind.COMMA));
            expect(Kind.RPAREN);
            if (candidates.size() > MAX_IN_OPERANDS) {
                defer("The IN operator is provided with too many operands; number of operands: " + candidates.size());
            }
            return new Condition.In(left, candidates);
        }
        throw syntaxError(t);
    }

    private void checkBounds(Operand lower, Operand upper) {
        if (lower instanceof Operand.Value lo && upper instanceof Operand.Value hi && lo.value() != null
                && hi.value() != null && Values.comparable(lo.value(), hi.value())
                && Values.compare(lo.value(), hi.value()) > 0) {
            defer("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: "
                    + Values.describe(lo.value()) + ", upper bound operand: " + Values.describe(hi.value()));
        }
    }

    /** Operand of a condition: a path, a value or size(path). */
    private Operand parseOperand() {
        Token t = peek();
        if (t.kind() == Kind.VALUE_ALIAS) {
            pos++;
            return value(t);
        }
        if (t.kind() == Kind.IDENTIFIER && peek(1).kind() == Kind.LPAREN) {
            return operandFunction(t.text(), parseArguments());
        }
        if (t.kind() == Kind.IDENTIFIER || t.kind() == Kind.NAME_ALIAS) {
            return new Operand.Path(parsePath());
        }
        throw syntaxError(t);
    }

    private List<Operand> parseArguments() {
        return parseArguments(this::parseOperand);
    }

    /** A function's parenthesised arguments; the function name is the current token. */
    private List<Operand> parseArguments(Supplier<Operand> argument) {
        pos += 2; // function name and "("
        List<Operand> args = new ArrayList<>();
        if (peek().kind() != Kind.RPAREN) {
            do {
                args.add(argument.get());
            } while (accept(Kind.COMMA));
        }
        expect(Kind.RPAREN);
        return args;
    }

    private Operand operandFunction(String function, List<Operand> args) {
        if (function.equals("size")) {
            arity(function, args, 1);
            return new Operand.Size(pathArgument(function, args.get(0)));
        }
        if (CONDITION_FUNCTIONS.contains(function) || function.equals("if_not_exists") || function.equals("list_append")) {
            defer("The function is not allowed to be used this way in an expression; function: " + function);
            return new Operand.Value(function, null);
        }
        throw invalid("Invalid function name; function: " + function);
    }

    private Condition conditionFunction(String function, List<Operand> args) {
        switch (function) {
            case "attribute_exists" -> {
                arity(function, args, 1);
                return new Condition.Exists(pathArgument(function, args.get(0)));
            }
            case "attribute_not_exists" -> {
                arity(function, args, 1);
                return new Condition.NotExists(pathArgument(function, args.get(0)));
            }
            case "attribute_type" -> {
                arity(function, args, 2);
                DocumentPath path = pathArgument(function, args.get(0));
                if (args.get(1) instanceof Operand.Value v && v.value() != null) {
                    if (!"S".equals(Values.type(v.value()))) {
                        defer(incorrectOperandType(function, Values.type(v.value())));
                    } else if (!TYPE_CODES.contains(v.value().s())) {
                        defer("Invalid attribute type name found; type: " + v.value().s()
                                + ", valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
                    }
                }
                return new Condition.AttributeType(path, args.get(1));
            }
            case "begins_with" -> {
                arity(function, args, 2);
                for (Operand arg : args) {
                    if (arg instanceof Operand.Value v && v.value() != null
                            && !Set.of("S", "B").contains(Values.type(v.value()))) {
                        defer(incorrectOperandType(function, Values.type(v.value())));
                    }
                }
                return new Condition.BeginsWith(args.get(0), args.get(1));
            }
            default -> {
                arity(function, args, 2);
                return new Condition.Contains(args.get(0), args.get(1));
            }
        }
    }

    private void arity(String function, List<Operand> args, int expected) {
        if (args.size() != expected) {
            throw invalid("Incorrect number of operands for operator or function; operator or function: " + function
                    + ", number of operands: " + args.size());
        }
    }

    private DocumentPath pathArgument(String function, Operand arg) {
        if (arg instanceof Operand.Path p) {
            return p.path();
        }
        throw invalid("Operator or function requires a document path; operator or function: " + function);
    }

    static String incorrectOperandType(String function, String type) {
        return "Incorrect operand type for operator or function; operator or function: " + function + ", operand type: " + type;
    }

    // ---- updates ------------------------------------------------------------------------------------------------

    private UpdateAction parseUpdateAction(String section) {
        DocumentPath path = parsePath();
        switch (section) {
            case "SET" -> {
                expect(Kind.EQ);
                return new UpdateAction.Set(path, parseSetValue());
            }
            case "REMOVE" -> {
                return new UpdateAction.Remove(path);
            }
            default -> {
                Token t = peek();
                if (t.kind() != Kind.VALUE_ALIAS) {
                    throw syntaxError(t);
                }
                pos++;
                Operand.Value v = value(t);
                if (v.value() != null) {
                    checkAddDeleteOperand(section, v.value());
                }
                return section.equals("ADD") ? new UpdateAction.Add(path, v) : new UpdateAction.Delete(path, v);
            }
        }
    }

    private void checkAddDeleteOperand(String section, AttributeValue v) {
        boolean allowed = section.equals("ADD") ? Values.isSet(v) || v.n() != null : Values.isSet(v);
        if (!allowed) {
            defer("Incorrect operand type for operator or function; operator: " + section + ", operand type: "
                    + Values.longTypeName(v) + ", typeSet: ALLOWED_FOR_" + section + "_OPERAND");
        }
    }

    private Operand parseSetValue() {
        Operand left = parseSetOperand();
        if (peek().kind() == Kind.PLUS || peek().kind() == Kind.MINUS) {
            boolean plus = tokens.get(pos++).kind() == Kind.PLUS;
            Operand right = parseSetOperand();
            String symbol = plus ? "+" : "-";
            for (Operand side : List.of(left, right)) {
                if (side instanceof Operand.Value v && v.value() != null && v.value().n() == null) {
                    defer(incorrectOperandType(symbol, Values.type(v.value())));
                }
            }
            return new Operand.Arithmetic(left, plus, right);
        }
        return left;
    }

    private Operand parseSetOperand() {
        Token t = peek();
        if (t.kind() == Kind.VALUE_ALIAS) {
            pos++;
            return value(t);
        }
        if (t.kind() == Kind.IDENTIFIER && peek(1).kind() == Kind.LPAREN) {
            String function = t.text();
            List<Operand> args = parseArguments(this::parseSetOperand);
            switch (function) {
                case "if_not_exists" -> {
                    arity(function, args, 2);
                    return new Operand.IfNotExists(pathArgument(function, args.get(0)), args.get(1));
                }
                case "list_append" -> {
                    arity(function, args, 2);
                    for (Operand arg : args) {
                        if (arg instanceof Operand.Value v && v.value() != null && !v.value().hasL()) {
                            defer(incorrectOperandType(function, Values.type(v.value())));
                        }
                    }
                    return new Operand.ListAppend(args.get(0), args.get(1));
                }
                default -> {
                    if (CONDITION_FUNCTIONS.contains(function) || function.equals("size")) {
                        throw invalid("The function is not allowed in an update expression; function: " + function);
                    }
                    throw invalid("Invalid function name; function: " + function);
                }
            }
        }
        if (t.kind() == Kind.IDENTIFIER || t.kind() == Kind.NAME_ALIAS) {
            return new Operand.Path(parsePath());
        }
        throw syntaxError(t);
    }

    // ---- paths, names, values -----------------------------------------------------------------------------------

    private DocumentPath parsePath() {
        List<DocumentPath.Element> elements = new ArrayList<>();
        elements.add(new DocumentPath.Key(parseName()));
        while (true) {
            if (accept(Kind.DOT)) {
                elements.add(new DocumentPath.Key(parseName()));
            } else if (accept(Kind.LBRACKET)) {
                Token index = peek();
                if (index.kind() != Kind.INTEGER) {
                    throw syntaxError(index);
                }
                pos++;
                expect(Kind.RBRACKET);
                elements.add(new DocumentPath.Index(parseIndex(index)));
            } else {
                return new DocumentPath(elements);
            }
        }
    }

    private int parseIndex(Token index) {
        try {
            return Integer.parseInt(index.text());
        } catch (NumberFormatException e) {
            throw syntaxError(index);
        }
    }

    private String parseName() {
        Token t = peek();
        if (t.kind() == Kind.NAME_ALIAS) {
            pos++;
            String name = ctx.name(t.text());
            if (name == null) {
                deferAt("An expression attribute name used in the document path is not defined; attribute name: " + t.text(),
                        true);
                return t.text();
            }
            return name;
        }
        if (t.kind() == Kind.IDENTIFIER) {
            pos++;
            if (ReservedWords.isReserved(t.text())) {
                deferAt("Attribute name is a reserved keyword; reserved keyword: " + t.text(), true);
            }
            return t.text();
        }
        throw syntaxError(t);
    }

    private Operand.Value value(Token t) {
        AttributeValue v = ctx.value(t.text());
        if (v == null) {
            deferAt("An expression attribute value used in expression is not defined; attribute value: " + t.text(), true);
        } else {
            checkValue(t.text(), v);
        }
        return new Operand.Value(t.text(), v);
    }

    /** A value DynamoDB could not store is refused (AWS-recorded wording, with the write prefix in UpdateItem). */
    private void checkValue(String alias, AttributeValue v) {
        String emptySet = v.hasSs() && v.ss().isEmpty() ? "string"
                : v.hasNs() && v.ns().isEmpty() ? "number"
                : v.hasBs() && v.bs().isEmpty() ? "binary" : null;
        if (emptySet != null) {
            throw new DynamoDbValidationException(
                    requestPrefix() + "One or more parameter values were invalid: An " + emptySet + " set  may not be empty");
        }
        try {
            if (v.n() != null) {
                Numbers.canonical(v.n());
            }
            if (v.hasNs()) {
                v.ns().forEach(Numbers::canonical);
            }
        } catch (DynamoDbValidationException e) {
            throw new DynamoDbValidationException(requestPrefix() + "ExpressionAttributeValues contains invalid value: "
                    + e.getMessage() + " for key " + alias);
        }
    }

    private void checkDisjoint(List<DocumentPath> paths) {
        for (int i = 0; i < paths.size(); i++) {
            for (int j = 0; j < i; j++) {
                DocumentPath one = paths.get(j);
                DocumentPath two = paths.get(i);
                String kind = one.overlaps(two) ? "overlap" : one.conflicts(two) ? "conflict" : null;
                if (kind != null) {
                    throw invalid("Two document paths " + kind + " with each other; must remove or rewrite one of these "
                            + "paths; path one: " + one + ", path two: " + two);
                }
            }
        }
    }

    // ---- token helpers ------------------------------------------------------------------------------------------

    /** Checked before parsing: an empty text, and the 4 KB limit on the raw UTF-8 text (Developer Guide, "Quotas"). */
    private void requireNotEmpty() {
        if (text.isBlank()) {
            throw invalid("The expression can not be empty;");
        }
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_EXPRESSION_BYTES) {
            // AWS-recorded wordings: an update's message has no size, the others end with it; neither is prefixed.
            throw unprefixed("Expression size has exceeded the maximum allowed size;"
                    + (parameter.equals("UpdateExpression") ? "" : " expression size: " + size));
        }
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private boolean accept(Kind kind) {
        if (peek().kind() == kind) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptKeyword(String keyword) {
        if (peek().isKeyword(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(Kind kind) {
        if (!accept(kind)) {
            throw syntaxError(peek());
        }
    }

    private void expectKeyword(String keyword) {
        if (!acceptKeyword(keyword)) {
            throw syntaxError(peek());
        }
    }

    /**
     * AWS's syntax error (AWS-recorded examples: {@code token: "Mystr2", near: "myNum Mystr2 myNum2"}; at the end
     * {@code token: "<EOF>", near: ","}): "near" is the source text from the token before the offending one to the
     * token after it.
     */
    private DynamoDbValidationException syntaxError(Token t) {
        int index = tokens.indexOf(t);
        int from = index == 0 ? t.start() : tokens.get(index - 1).start();
        int to = t.kind() == Kind.EOF ? text.length() : tokens.get(index + 1).kind() == Kind.EOF ? t.end() : tokens.get(index + 1).end();
        return unprefixed("Syntax error; token: \"" + t.display() + "\", near: \"" + text.substring(from, to) + "\"");
    }

    /** A request-validation error other than a syntax error (those AWS prefixes in write operations). */
    private DynamoDbValidationException invalid(String detail) {
        return new DynamoDbValidationException(requestPrefix() + "Invalid " + parameter + ": " + detail);
    }

    /**
     * AWS-recorded: write operations put {@code 1 validation error detected: } before request-validation errors (an
     * empty or repeated update section, overlapping paths, unused or empty values, redundant parentheses, operand
     * types), not before the parse stage's (syntax errors, reserved words, undefined aliases, the size limit). An update
     * expression only ever comes in a write.
     */
    private String requestPrefix() {
        return ctx.isWriteOperation() || parameter.equals("UpdateExpression") ? ExpressionContext.WRITE_PREFIX : "";
    }

    private void defer(String detail) {
        deferAt(detail, false);
    }

    /**
     * Keeps the first problem found; it is reported once the text parsed. Problems of the parse stage (a reserved word,
     * an undefined alias) are, like syntax errors, reported without the write prefix (see {@link #requestPrefix}).
     */
    private void deferAt(String detail, boolean parseStage) {
        if (deferred == null) {
            deferred = detail;
            deferredAtParseStage = parseStage;
        }
    }

    private void throwDeferred() {
        if (deferred != null) {
            throw deferredAtParseStage ? unprefixed(deferred) : invalid(deferred);
        }
    }

    private DynamoDbValidationException unprefixed(String detail) {
        return new DynamoDbValidationException("Invalid " + parameter + ": " + detail);
    }
}
