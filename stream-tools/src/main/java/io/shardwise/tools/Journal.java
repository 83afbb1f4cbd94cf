package io.shardwise.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run has done, on disk, so that a run after a crash carries on instead of starting over: one JSON line
 * per step ({@code {"key":"…","value":"…"}}), appended and forced to disk before the step's effect is undone
 * elsewhere (a queue message deleted). Opening an existing journal reads it back; the latest value of a key wins.
 * A last line cut short by a crash is ignored (its step is then simply done again: at least once).
 *
 * <p>One journal per job: give the same file to the rerun of the same command, a new file to a new job. Not
 * thread-safe; one process at a time (nothing locks the file).
 */
public final class Journal implements AutoCloseable {

    private static final JsonMapper MAPPER = new JsonMapper();

    private final Path path;
    private final Map<String, String> entries = new HashMap<>();
    private final FileChannel channel;

    private Journal(Path path) throws IOException {
        this.path = path;
        long complete = 0; // bytes up to the last full line: a torn tail is cut off so appends start a new line
        if (Files.exists(path)) {
            byte[] bytes = Files.readAllBytes(path);
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    complete = i + 1;
                    break;
                }
            }
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = entry(line);
                if (node != null) {
                    entries.put(node.get("key").asText(), node.get("value").asText());
                } else {
                    if (i < lines.size() - 1) {
                        throw new IllegalArgumentException("journal " + path + " line " + (i + 1) + " is not a "
                                + "journal entry (" + line + "): give a journal file this tool wrote, or a new path");
                    }
                    // the last line, cut short by a crash: that step is done again
                }
            }
        } else if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.truncate(complete);
        channel.position(complete);
    }

    /** The line as an entry, or null when it is not one. */
    private static JsonNode entry(String line) {
        try {
            JsonNode node = MAPPER.readTree(line);
            return node != null && node.hasNonNull("key") && node.hasNonNull("value") ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Opens {@code path}, creating it (and its directory) when missing.
     *
     * @throws UncheckedIOException     if it cannot be read or created
     * @throws IllegalArgumentException if it holds lines this class did not write
     */
    public static Journal open(Path path) {
        try {
            return new Journal(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The latest value recorded for {@code key}. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** How many keys the journal holds. */
    public int size() {
        return entries.size();
    }

    /**
     * Records {@code key = value} and forces it to disk before returning.
     *
     * @throws UncheckedIOException if the write fails (the caller must then not undo the step's source)
     */
    public void put(String key, String value) {
        ObjectNode node = MAPPER.createObjectNode().put("key", key).put("value", value);
        try {
            byte[] line = (MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the journal " + path + ": " + e.getMessage(), e);
        }
        entries.put(key, value);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the journal " + path, e);
        }
    }
}
