/**
 * DynamoDB's expression language for the in-JVM DynamoDB engine: condition, filter, update, projection and key
 * condition expressions, expression attribute names and values, and DynamoDB's number type. Behaviour and error
 * messages follow the AWS Developer Guide and, where it is silent, responses recorded from AWS.
 *
 * <p>Only {@link io.shardwise.testkit.dynamodb.expression.Expressions}, the four parsed-expression interfaces,
 * {@link io.shardwise.testkit.dynamodb.expression.ExpressionContext},
 * {@link io.shardwise.testkit.dynamodb.expression.Numbers},
 * {@link io.shardwise.testkit.dynamodb.expression.UpdateResult} and
 * {@link io.shardwise.testkit.dynamodb.expression.DynamoDbValidationException} are public; the lexer, parser, AST,
 * evaluator and path navigation are package-private.
 */
package io.shardwise.testkit.dynamodb.expression;
