package io.shardwise.testkit.dynamodb;

import org.junit.jupiter.api.Nested;

/** The conformance suite through the HTTP binding on 127.0.0.1 (url-connection client). */
class HttpConformanceTest {

    @Nested
    class Tables extends TablesContract {
        Tables() {
            super(Binding.HTTP);
        }
    }

    @Nested
    class Items extends ItemsContract {
        Items() {
            super(Binding.HTTP);
        }
    }

    @Nested
    class BatchQueryScan extends BatchQueryScanContract {
        BatchQueryScan() {
            super(Binding.HTTP);
        }
    }

    @Nested
    class Transactions extends TransactionsContract {
        Transactions() {
            super(Binding.HTTP);
        }
    }

    @Nested
    class Streams extends StreamsContract {
        Streams() {
            super(Binding.HTTP);
        }
    }

    @Nested
    class Capacity extends CapacityContract {
        Capacity() {
            super(Binding.HTTP);
        }
    }

    @Nested
    class Faults extends FaultsContract {
        Faults() {
            super(Binding.HTTP);
        }
    }
}
