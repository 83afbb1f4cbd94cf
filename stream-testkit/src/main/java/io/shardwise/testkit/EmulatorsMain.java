package io.shardwise.testkit;

import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.DynamoDbHttpServer;
import io.shardwise.testkit.internal.KinesisMockProcess;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the local emulators as a standalone process, for SAM, the AWS CLI or other languages' SDKs: the in-JVM
 * DynamoDB + DynamoDB Streams engine over HTTP and kinesis-mock, both on {@code 127.0.0.1}. Prints one line per
 * endpoint ({@code DynamoDB: http://127.0.0.1:PORT}, {@code Kinesis: http://127.0.0.1:PORT}) and runs until stopped
 * (Ctrl-C, SIGTERM).
 *
 * <pre>
 * java -cp stream-testkit.jar:... io.shardwise.testkit.EmulatorsMain [--dynamodb-port N] [--kinesis-port N]
 *      [--no-kinesis] [--ttl-sweep-seconds N]
 * </pre>
 *
 * <p>Ports default to 0 (a free port). TTL deletion runs every {@code --ttl-sweep-seconds} (default 1; 0 turns it
 * off), as DynamoDB's background TTL process would, only faster.
 */
public final class EmulatorsMain {

    private EmulatorsMain() {}

    /**
     * Starts the emulators, prints their endpoints and runs until the process is stopped.
     *
     * @param args the options above
     * @throws InterruptedException if interrupted while waiting to be stopped
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: EmulatorsMain [--dynamodb-port N] [--kinesis-port N] [--no-kinesis] "
                    + "[--ttl-sweep-seconds N]");
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Running running = start(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "emulators-shutdown"));
        stopped.await();
    }

    /** The command line: ports (0: free) and switches. */
    record Options(int dynamoDbPort, int kinesisPort, boolean kinesis, int ttlSweepSeconds) {
        static Options parse(String[] args) {
            int ddb = 0;
            int kin = 0;
            boolean kinesis = true;
            int sweep = 1;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--dynamodb-port" -> ddb = number(args, ++i);
                    case "--kinesis-port" -> kin = number(args, ++i);
                    case "--ttl-sweep-seconds" -> sweep = number(args, ++i);
                    case "--no-kinesis" -> kinesis = false;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(ddb, kin, kinesis, sweep);
        }

        private static int number(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a number");
            }
            try {
                int n = Integer.parseInt(args[i]);
                if (n < 0 || n > 65535) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(args[i - 1] + " needs a number from 0 to 65535, not " + args[i]);
            }
        }
    }

    /** What {@link #start} started; closing stops it all. */
    record Running(DynamoDbEngine engine, DynamoDbHttpServer dynamoDb, KinesisMockProcess kinesis,
            ScheduledExecutorService sweeper) implements AutoCloseable {
        @Override
        public void close() {
            if (sweeper != null) {
                sweeper.shutdownNow();
            }
            try {
                if (kinesis != null) {
                    kinesis.close();
                }
            } finally {
                dynamoDb.close();
                engine.close();
            }
        }
    }

    /** Starts what {@code options} asks for and prints the endpoint lines to {@code out}. */
    static Running start(Options options, PrintStream out) {
        DynamoDbEngine engine = DynamoDbEngine.builder().build();
        DynamoDbHttpServer server = engine.serveHttp(options.dynamoDbPort());
        ScheduledExecutorService sweeper = null;
        KinesisMockProcess kinesis = null;
        try {
            if (options.ttlSweepSeconds() > 0) {
                sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "dynamodb-ttl-sweeper");
                    t.setDaemon(true);
                    return t;
                });
                sweeper.scheduleWithFixedDelay(
                        engine::expireTtl, options.ttlSweepSeconds(), options.ttlSweepSeconds(), TimeUnit.SECONDS);
            }
            out.println("DynamoDB: " + server.endpoint());
            if (options.kinesis()) {
                kinesis = KinesisMockProcess.start(options.kinesisPort());
                out.println("Kinesis: " + kinesis.endpoint());
            }
            out.flush();
            return new Running(engine, server, kinesis, sweeper);
        } catch (RuntimeException e) {
            new Running(engine, server, null, sweeper).close();
            throw e;
        }
    }
}
