package io.shardwise.tools.recover;

import io.shardwise.tools.AwsOptions;
import io.shardwise.tools.Clients;
import io.shardwise.tools.Journal;
import io.shardwise.tools.Progress;
import io.shardwise.tools.RunOutput;
import io.shardwise.tools.StreamTools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code recover-failed-batches}: {@link FailedBatchRecoverer} from the command line. */
@Command(name = "recover-failed-batches", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Reads Lambda's on-failure messages (Kinesis and DynamoDB Streams event source mappings; metadata "
                        + "only: shard and sequence numbers) from an SQS queue, reads each named range back from "
                        + "its stream (GetShardIterator AT_SEQUENCE_NUMBER, GetRecords), and writes the records to "
                        + "files (JSON lines, each a record of Lambda's event) or puts Kinesis records back onto a "
                        + "stream.",
                "A range past the stream's retention is reported as PAST RETENTION and its message left. A "
                        + "message is deleted once its range was written or put. Resumable: rerun the same "
                        + "command (with the same --journal when putting)."},
        footer = {"", "Exit codes: 0 every range recovered, 1 some failed or are past retention, 2 bad arguments."})
public final class RecoverFailedBatchesCommand implements Callable<Integer> {

    @ParentCommand
    StreamTools tools;

    @Spec
    CommandSpec spec;

    @Option(names = "--from-sqs", paramLabel = "QUEUE_URL", required = true,
            description = "The event source mapping's on-failure destination queue.")
    String queueUrl;

    /** Exactly one target. */
    static final class Target {
        @Option(names = "--to-dir", paramLabel = "DIR", required = true,
                description = "Write each range to DIR/<stream>/<shard>/<first>-<last>.jsonl.")
        Path directory;

        @Option(names = "--to-stream", paramLabel = "NAME_OR_ARN", required = true,
                description = "Put Kinesis records onto this stream (the same one, or another).")
        String stream;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--dry-run", description = "Read the ranges and report; write, put and delete nothing.")
    boolean dryRun;

    @Option(names = "--keep-messages", description = "Leave the on-failure messages in the queue once recovered.")
    boolean keepMessages;

    @Option(names = "--journal", paramLabel = "FILE",
            description = "Record every put here; a rerun with the same file goes on where this one stopped.")
    Path journal;

    @Option(names = "--max-messages", paramLabel = "N", defaultValue = "1000",
            description = "Read at most N on-failure messages in one run (default: ${DEFAULT-VALUE}).")
    int maxMessages;

    @Option(names = "--visibility-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long received messages stay hidden while the run works (default: ${DEFAULT-VALUE}).")
    int visibilitySeconds;

    @Option(names = {"-v", "--verbose"}, description = "Print a line for every message, not only for problems.")
    boolean verbose;

    @Option(names = "--progress-every", paramLabel = "N", defaultValue = "10",
            description = "A progress line on standard error every N messages; 0 for none (default: "
                    + "${DEFAULT-VALUE}).")
    int progressEvery;

    @Mixin
    AwsOptions aws;

    @Override
    public Integer call() {
        RunOutput<FailedBatchRecoverer.Action> output = new RunOutput<>(spec.commandLine().getOut(),
                new Progress(spec.commandLine().getErr(), spec.name(), progressEvery), verbose,
                FailedBatchRecoverer.Action.class,
                EnumSet.of(FailedBatchRecoverer.Action.FAILED, FailedBatchRecoverer.Action.PAST_RETENTION));
        try (Clients clients = tools.clients(aws);
             Journal j = journal == null ? null : Journal.open(journal)) {
            FailedBatchRecoverer.Builder builder = FailedBatchRecoverer.builder()
                    .sqs(clients.sqs())
                    .kinesis(clients.kinesis())
                    .dynamoDbStreams(clients.dynamoDbStreams())
                    .dryRun(dryRun)
                    .keepMessages(keepMessages)
                    .maxMessages(maxMessages)
                    .visibilityTimeout(Duration.ofSeconds(visibilitySeconds))
                    .journal(j)
                    .listener(item -> output.item(item.action(), item.line()));
            if (target.directory != null) {
                builder.toDirectory(target.directory);
            } else {
                builder.toStream(clients.kinesis(), target.stream);
            }
            FailedBatchRecoverer.Summary summary = builder.build().recover(queueUrl);
            output.totals(summary.totals());
            return summary.failed() == 0 && summary.pastRetention() == 0 ? 0 : 1;
        }
    }
}
