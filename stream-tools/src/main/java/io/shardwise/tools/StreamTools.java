package io.shardwise.tools;

import io.shardwise.tools.parked.InspectCommand;
import io.shardwise.tools.recover.RecoverFailedBatchesCommand;
import io.shardwise.tools.parked.ReplayParkedCommand;

import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code stream-tools}: the operator's command line for records that left a shardwise consumer — parked records
 * ({@code replay-parked}, {@code inspect}) and the batches Lambda gave up on ({@code recover-failed-batches}).
 *
 * <p>Exit codes: 0 when every record was handled, 1 when some failed or the run stopped on an AWS error, 2 on
 * bad arguments. Results go to standard output (one summary line at the end), progress and errors to standard
 * error.
 */
@Command(name = "stream-tools", mixinStandardHelpOptions = true, version = "stream-tools 0.1.0-SNAPSHOT",
        description = "Replay parked records, recover the batches Lambda gave up on, inspect parked records.",
        subcommands = {ReplayParkedCommand.class, RecoverFailedBatchesCommand.class, InspectCommand.class,
                CommandLine.HelpCommand.class})
public final class StreamTools implements Runnable {

    private final Function<AwsOptions, Clients> clients;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The tool with real AWS clients. */
    public StreamTools() {
        this(AwsClients::new);
    }

    /** The tool with the given clients for each command's options (tests: clients with faults). */
    public StreamTools(Function<AwsOptions, Clients> clients) {
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    /** The clients for one command's options. */
    public Clients clients(AwsOptions options) {
        return clients.apply(options);
    }

    /** Without a command: the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The command line for {@code tools}, with the error handling of {@link #main}: an AWS or I/O error ends the
     * run with one line on standard error and exit code 1.
     */
    public static CommandLine commandLine(StreamTools tools) {
        CommandLine cl = new CommandLine(tools);
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof SdkException || e instanceof UncheckedIOException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException) {
                commandLine.getErr().println(commandLine.getCommandName() + " stopped: " + message(e));
                commandLine.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new StreamTools()).execute(args));
    }

    /** An exception's message, or its class when it has none. */
    public static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }
}
