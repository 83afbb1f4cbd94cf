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
}
