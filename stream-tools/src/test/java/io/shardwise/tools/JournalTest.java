package io.shardwise.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    @Test
    void whatWasRecordedIsThereWhenOpenedAgainAndTheLatestValueWins() {
        Path file = dir.resolve("sub/journal.jsonl");
        try (Journal j = Journal.open(file)) {
            j.put("a", "1");
            j.put("b\nwith a newline", "2");
            j.put("a", "3");
        }

        try (Journal again = Journal.open(file)) {
            assertThat(again.get("a")).hasValue("3");
            assertThat(again.get("b\nwith a newline")).hasValue("2");
            assertThat(again.get("c")).isEmpty();
            assertThat(again.size()).isEqualTo(2);
        }
    }

    @Test
    void aLastLineCutShortByACrashIsIgnoredButAForeignFileIsRefused() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (Journal j = Journal.open(file)) {
            j.put("a", "1");
        }
        Files.writeString(file, "{\"key\":\"b\",\"val", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        try (Journal j = Journal.open(file)) {
            assertThat(j.get("a")).hasValue("1");
            assertThat(j.get("b")).isEmpty();
            j.put("c", "2"); // on a line of its own, not after the torn one
        }
        try (Journal j = Journal.open(file)) {
            assertThat(j.get("c")).hasValue("2");
        }

        Path foreign = dir.resolve("notes.txt");
        Files.writeString(foreign, "hello\nworld\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Journal.open(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1 is not a journal entry");
    }
}
