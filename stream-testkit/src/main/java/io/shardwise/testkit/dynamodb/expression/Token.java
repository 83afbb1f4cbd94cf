package io.shardwise.testkit.dynamodb.expression;

/** One lexical token of an expression; {@code start}/{@code end} index the source text (end exclusive). */
record Token(Kind kind, String text, int start, int end) {
    enum Kind {
        IDENTIFIER, NAME_ALIAS, VALUE_ALIAS, INTEGER,
        LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, DOT,
        EQ, NE, LT, LE, GT, GE, PLUS, MINUS,
        UNKNOWN, EOF
    }

    /** True for an identifier that spells {@code keyword} in any case (DynamoDB keywords are not case-sensitive). */
    boolean isKeyword(String keyword) {
        return kind == Kind.IDENTIFIER && text.equalsIgnoreCase(keyword);
    }

    /** How AWS names the token in "Syntax error; token: ..." messages. */
    String display() {
        return kind == Kind.EOF ? "<EOF>" : text;
    }
}
