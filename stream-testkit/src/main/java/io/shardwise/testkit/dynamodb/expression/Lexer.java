package io.shardwise.testkit.dynamodb.expression;

import io.shardwise.testkit.dynamodb.expression.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits expression text into {@link Token}s. Never fails: a character the language has no use for becomes an
 * {@code UNKNOWN} token, so the parser reports it with AWS's "Syntax error; token: ..." message.
 */
final class Lexer {
    private Lexer() {
    }

    static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            Kind kind;
            if (c == '#' || c == ':') {
                i++;
                while (i < n && isWordChar(text.charAt(i))) {
                    i++;
                }
                kind = i == start + 1 ? Kind.UNKNOWN : (c == '#' ? Kind.NAME_ALIAS : Kind.VALUE_ALIAS);
            } else if (Character.isDigit(c)) {
                while (i < n && Character.isDigit(text.charAt(i))) {
                    i++;
                }
                kind = Kind.INTEGER;
                if (i < n && isWordChar(text.charAt(i))) {
                    while (i < n && isWordChar(text.charAt(i))) {
                        i++;
                    }
                    kind = Kind.UNKNOWN;
                }
            } else if (isWordChar(c)) {
                while (i < n && isWordChar(text.charAt(i))) {
                    i++;
                }
                kind = Kind.IDENTIFIER;
            } else {
                i++;
                kind = switch (c) {
                    case '(' -> Kind.LPAREN;
                    case ')' -> Kind.RPAREN;
                    case '[' -> Kind.LBRACKET;
                    case ']' -> Kind.RBRACKET;
                    case ',' -> Kind.COMMA;
                    case '.' -> Kind.DOT;
                    case '=' -> Kind.EQ;
                    case '+' -> Kind.PLUS;
                    case '-' -> Kind.MINUS;
                    case '<' -> {
                        if (i < n && text.charAt(i) == '=') {
                            i++;
                            yield Kind.LE;
                        }
                        if (i < n && text.charAt(i) == '>') {
                            i++;
                            yield Kind.NE;
                        }
                        yield Kind.LT;
                    }
                    case '>' -> {
                        if (i < n && text.charAt(i) == '=') {
                            i++;
                            yield Kind.GE;
                        }
                        yield Kind.GT;
                    }
                    default -> Kind.UNKNOWN;
                };
            }
            tokens.add(new Token(kind, text.substring(start, i), start, i));
        }
        tokens.add(new Token(Kind.EOF, "", n, n));
        return tokens;
    }

    private static boolean isWordChar(char c) {
        return c == '_' || (c < 128 && Character.isLetterOrDigit(c));
    }
}
