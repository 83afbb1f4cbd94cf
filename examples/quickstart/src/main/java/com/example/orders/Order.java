package com.example.orders;

import java.math.BigDecimal;

/** One order event, as JSON in the Kinesis record's data. */
public record Order(String orderId, String customerId, BigDecimal amount) {
}
