package io.shardwise.testkit.dynamodb;

import org.junit.jupiter.api.Nested;

/** The conformance suite through the in-process SDK binding (no sockets). */
class InProcessConformanceTest {

    @Nested
    class Tables extends TablesContract {
        Tables() {
            super(Binding.IN_PROCESS);
        }
    }

    @Nested
    class Items extends ItemsContract {
        Items() {
            super(Binding.IN_PROCESS);
        }
    }

    @Nested
    class BatchQueryScan extends BatchQueryScanContract {
        BatchQueryScan() {
            super(Binding.IN_PROCESS);
        }
    }

    @Nested
    class Transactions extends TransactionsContract {
        Transactions() {
            super(Binding.IN_PROCESS);
        }
    }

    @Nested
    class Streams extends StreamsContract {
        Streams() {
            super(Binding.IN_PROCESS);
        }
    }

    @Nested
    class Capacity extends CapacityContract {
        Capacity() {
            super(Binding.IN_PROCESS);
        }
    }

    @Nested
    class Faults extends FaultsContract {
        Faults() {
            super(Binding.IN_PROCESS);
        }
    }
}
