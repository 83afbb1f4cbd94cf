package io.shardwise.tools.parked;

import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.tools.AwsOptions;
import io.shardwise.tools.Clients;
import io.shardwise.tools.Journal;
import io.shardwise.tools.Progress;
import io.shardwise.tools.RunOutput;
import io.shardwise.tools.Source;
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

/** {@code replay-parked}: {@link ParkedRecordReplayer} from the command line. */
@Command(name = "replay-parked", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Puts parked records back onto a Kinesis stream (the one they came from, or another), with their "
                        + "partition key and explicit hash key, each key's records in their original order.",
                "An SQS message is deleted only after its record's put succeeded; S3 objects only with "
                        + "--delete-after-replay. With --dedup-table, a record's PARKED dedup marker is released "
                        + "first, so a record keyed by its payload runs again instead of being skipped.",
                "Resumable: rerun the same command (with the same --journal) after a crash or a failure."},
        footer = {"", "Exit codes: 0 nothing failed, 1 something failed (see the FAILED lines), 2 bad arguments."})
public final class ReplayParkedCommand implements Callable<Integer> {

    @ParentCommand
    StreamTools tools;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--to-stream", paramLabel = "NAME_OR_ARN", required = true,
            description = "The Kinesis stream to put the records onto.")
    String toStream;

    @Option(names = "--dry-run", description = "Only report what would be done: put, release and delete nothing.")
    boolean dryRun;

    @Option(names = "--dedup-table", paramLabel = "TABLE",
            description = "The consumer's dedup table: release each record's PARKED marker before its put.")
    String dedupTable;

    @Option(names = "--delete-after-replay",
            description = "Delete S3 objects (the source's, and spill objects) once their record was put.")
    boolean deleteAfterReplay;

    @Option(names = "--journal", paramLabel = "FILE",
            description = "Record every put here; a rerun with the same file does not put those again.")
    Path journal;

    @Option(names = "--max-records", paramLabel = "N", defaultValue = "10000",
            description = "Read at most N messages or objects in one run (default: ${DEFAULT-VALUE}).")
    int maxRecords;

    @Option(names = "--visibility-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "SQS: how long received messages stay hidden while the run works (default: "
                    + "${DEFAULT-VALUE}).")
    int visibilitySeconds;

    @Option(names = {"-v", "--verbose"}, description = "Print a line for every record, not only for failures.")
    boolean verbose;

    @Option(names = "--progress-every", paramLabel = "N", defaultValue = "100",
            description = "A progress line on standard error every N records; 0 for none (default: "
                    + "${DEFAULT-VALUE}).")
    int progressEvery;

    @Mixin
    AwsOptions aws;

    @Override
    public Integer call() {
        RunOutput<ParkedRecordReplayer.Action> output = new RunOutput<>(spec.commandLine().getOut(),
                new Progress(spec.commandLine().getErr(), spec.name(), progressEvery), verbose,
                ParkedRecordReplayer.Action.class, EnumSet.of(ParkedRecordReplayer.Action.FAILED));
        try (Clients clients = tools.clients(aws);
             Journal j = journal == null ? null : Journal.open(journal)) {
            ParkedRecordReplayer.Builder builder = ParkedRecordReplayer.builder()
                    .kinesis(clients.kinesis())
                    .s3(clients.s3())
                    .dryRun(dryRun)
                    .deleteAfterReplay(deleteAfterReplay)
                    .maxRecords(maxRecords)
                    .visibilityTimeout(Duration.ofSeconds(visibilitySeconds))
                    .journal(j)
                    .listener(item -> output.item(item.action(), item.line()));
            if (source.sqsQueueUrl != null) {
                builder.sqs(clients.sqs());
            }
            if (dedupTable != null) {
                builder.dedupStore(DynamoDbDedupStore.builder(clients.dynamoDb(), dedupTable).build());
            }
            if (toStream.startsWith("arn:")) {
                builder.streamArn(toStream);
            } else {
                builder.streamName(toStream);
            }
            ParkedRecordReplayer replayer = builder.build();
            ParkedRecordReplayer.Summary summary = source.sqsQueueUrl != null
                    ? replayer.replayFromSqs(source.sqsQueueUrl)
                    : replayer.replayFromS3(source.s3.bucket(), source.s3.prefix());
            output.totals(summary.totals());
            return summary.failed() == 0 ? 0 : 1;
        }
    }
}
