package io.shardwise.tools.parked;

import io.shardwise.core.sink.ParkedObjectKeys;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.core.sink.ParkedRecordJson;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.tools.AwsOptions;
import io.shardwise.tools.Clients;
import io.shardwise.tools.Source;
import io.shardwise.tools.StreamTools;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code inspect}: prints parked records without consuming them. SQS messages are received with a short
 * visibility timeout (so one run pages through the queue) and made visible again at once when the run ends; S3
 * objects are listed and read. Spill pointers are followed.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Prints parked records (where from, error, attempts, payload: as text when it is UTF-8 without "
                        + "control characters, else base64) without consuming them: SQS messages are made visible "
                        + "again at the end (their receive count goes up by one: mind a redrive policy's "
                        + "maxReceiveCount); S3 objects are only read.",
                "A FIFO queue shows only each message group's first messages (SQS hands out later ones only when "
                        + "earlier ones are deleted)."},
        footer = {"", "Exit codes: 0 every message or object was a parked record, 1 some were not, 2 bad arguments."})
public final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    StreamTools tools;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--max-records", paramLabel = "N", defaultValue = "100",
            description = "Show at most N records (default: ${DEFAULT-VALUE}).")
    int maxRecords;

    @Option(names = "--payload-chars", paramLabel = "N", defaultValue = "200",
            description = "Show at most N characters of each payload (default: ${DEFAULT-VALUE}).")
    int payloadChars;

    @Option(names = "--visibility-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "SQS: how long received messages stay hidden while the run pages through the queue, "
                    + "should it end without making them visible again (default: ${DEFAULT-VALUE}).")
    int visibilitySeconds;

    @Mixin
    AwsOptions aws;

    /** One message or object: its record, or why it is not one. */
    private record Shown(String source, ParkedRecord record, String spilledTo, String problem) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Clients clients = tools.clients(aws)) {
            List<Shown> shown = source.sqsQueueUrl != null
                    ? fromSqs(clients, source.sqsQueueUrl)
                    : fromS3(clients.s3(), source.s3.bucket(), source.s3.prefix());
            int bad = 0;
            for (Shown s : shown) {
                print(out, s);
                if (s.problem() != null) {
                    bad++;
                }
            }
            out.println("found " + shown.size() + " (parked records " + (shown.size() - bad) + ", unreadable " + bad
                    + ") in " + (source.sqsQueueUrl != null ? source.sqsQueueUrl : source.s3) + "; nothing consumed");
            out.flush();
            return bad == 0 ? 0 : 1;
        }
    }

    private List<Shown> fromSqs(Clients clients, String queueUrl) {
        SqsClient sqs = clients.sqs();
        List<Message> received = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Shown> shown = new ArrayList<>();
        try {
            while (received.size() < maxRecords) {
                int room = Math.min(10, maxRecords - received.size());
                List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(room)
                        .waitTimeSeconds(1).visibilityTimeout(visibilitySeconds)).messages();
                if (batch.isEmpty()) {
                    break;
                }
                for (Message m : batch) {
                    if (seen.add(m.messageId())) {
                        received.add(m);
                        shown.add(read("sqs:" + m.messageId(), m.body(), clients::s3));
                    }
                }
                if (SqsFailureSink.isFifo(queueUrl)) {
                    break; // a FIFO group's later messages come only after these are deleted: never here
                }
            }
        } finally {
            for (Message m : received) {
                try {
                    sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())
                            .visibilityTimeout(0));
                } catch (SdkException e) {
                    // visible again anyway when the visibility timeout ends
                }
            }
        }
        return shown;
    }

    private List<Shown> fromS3(S3Client s3, String bucket, String prefix) {
        String normalized = ParkedObjectKeys.normalizePrefix(prefix);
        ListObjectsV2Request.Builder list = ListObjectsV2Request.builder().bucket(bucket);
        if (!normalized.isEmpty()) {
            list.prefix(normalized + "/");
        }
        List<Shown> shown = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(list.build()).contents()) {
            if (shown.size() >= maxRecords) {
                break;
            }
            String where = "s3://" + bucket + "/" + o.key();
            if (!o.key().endsWith(ParkedObjectKeys.SUFFIX)) {
                shown.add(new Shown(where, null, null, "not a parked record: the key does not end in "
                        + ParkedObjectKeys.SUFFIX));
                continue;
            }
            String json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asString(StandardCharsets.UTF_8);
            shown.add(read(where, json, () -> s3));
        }
        return shown;
    }

    /** The S3 client, asked for only when a spill pointer needs it. */
    private interface S3Supplier {
        S3Client s3();
    }

    private static Shown read(String where, String json, S3Supplier s3) {
        ParkedRecordJson.Parsed parsed;
        try {
            parsed = ParkedRecordJson.parse(json);
        } catch (IllegalArgumentException e) {
            return new Shown(where, null, null, "not a parked record: " + e.getMessage());
        }
        if (!parsed.isSpilled()) {
            return new Shown(where, parsed.record(), null, null);
        }
        String spill = "s3://" + parsed.spilledTo().bucket() + "/" + parsed.spilledTo().key();
        try {
            return new Shown(where, ParkedRecordReplayer.readSpill(s3.s3(), parsed.spilledTo()), spill, null);
        } catch (RuntimeException e) {
            return new Shown(where, parsed.record(), spill, ParkedRecordReplayer.reason(e));
        }
    }

    private void print(PrintWriter out, Shown s) {
        out.println(s.source());
        ParkedRecord r = s.record();
        if (r != null) {
            out.println("  record:    " + r.describe() + ", consumer " + r.consumerName()
                    + (r.sourceArn() == null ? "" : ", stream " + r.sourceArn()));
            out.println("  key:       partition key " + r.partitionKey()
                    + (r.explicitHashKey() == null ? "" : ", explicit hash key " + r.explicitHashKey())
                    + (r.dedupId() == null ? "" : ", dedup id " + r.dedupId()));
            out.println("  error:     " + r.errorClass() + ": " + oneLine(r.errorMessage()));
            out.println("  attempts:  " + r.attempts() + ", arrived " + r.approximateArrivalTime() + ", parked "
                    + r.parkedAt());
            if (s.spilledTo() != null) {
                out.println("  spilled:   " + s.spilledTo());
            }
        }
        if (s.problem() != null) {
            out.println("  PROBLEM:   " + s.problem());
        } else {
            out.println("  payload:   " + payload(r));
        }
    }

    private String payload(ParkedRecord r) {
        byte[] bytes;
        try {
            bytes = r.payload();
        } catch (IllegalArgumentException e) {
            return "payloadBase64 is not valid base64: " + e.getMessage();
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            // Control characters other than line breaks and tabs would garble the terminal: binary, not text.
            if (text.codePoints().noneMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r')) {
                return bytes.length + " bytes, UTF-8: " + cut(oneLine(text));
            }
        } catch (CharacterCodingException e) {
            // not UTF-8: shown as base64 below
        }
        return bytes.length + " bytes, not UTF-8 text, base64: " + cut(r.payloadBase64());
    }

    private String cut(String s) {
        return s.length() <= payloadChars ? s : s.substring(0, payloadChars) + "... (" + s.length() + " chars)";
    }

    private static String oneLine(String s) {
        return s == null ? "null" : s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
