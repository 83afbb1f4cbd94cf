package io.shardwise.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line itself: help on every command, bad arguments exit 2 with a message naming the fix. */
class StreamToolsTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StreamTools.commandLine(new StreamTools(options -> {
                    throw new AssertionError("no command here may reach AWS");
                })).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"replay-parked", "recover-failed-batches", "inspect"})
    void everyCommandHasHelp(String command) {
        Run help = run(command, "--help");

        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: stream-tools " + command).contains("--region=NAME")
                .contains("Exit codes:");
        assertThat(run("help", command).out()).isEqualTo(help.out());
    }

    @Test
    void withoutACommandItPrintsTheCommands() {
        Run r = run();

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("replay-parked", "recover-failed-batches", "inspect");
    }

    @Test
    void replayNeedsExactlyOneSourceAndATarget() {
        Run both = run("replay-parked", "--from-sqs", "u", "--from-s3", "s3://b", "--to-stream", "s");
        Run none = run("replay-parked", "--to-stream", "s");
        Run noTarget = run("replay-parked", "--from-sqs", "u");
        Run badS3 = run("replay-parked", "--from-s3", "b/p", "--to-stream", "s");

        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive").contains("--from-sqs").contains("--from-s3");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required argument").contains("--from-sqs");
        assertThat(noTarget.code()).isEqualTo(2);
        assertThat(noTarget.err()).contains("Missing required option: '--to-stream=NAME_OR_ARN'");
        assertThat(badS3.code()).isEqualTo(2);
        assertThat(badS3.err()).contains("wants s3://bucket/prefix, got b/p");
    }

    @Test
    void recoverNeedsAQueueAndExactlyOneTarget() {
        Run both = run("recover-failed-batches", "--from-sqs", "u", "--to-dir", "d", "--to-stream", "s");
        Run none = run("recover-failed-batches", "--from-sqs", "u");

        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("--to-dir").contains("--to-stream");
    }

    @Test
    void s3LocationsSplitBucketAndPrefix() {
        assertThat(S3Location.parse("s3://bucket/some/prefix")).isEqualTo(new S3Location("bucket", "some/prefix"));
        assertThat(S3Location.parse("s3://bucket")).isEqualTo(new S3Location("bucket", ""));
    }
}
