package dev.sodec.codec.cli;

import dev.sodec.codec.io.IoMessages;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one job per input, {@code jobs} at a time in this process (the codec is thread-safe, so a folder pays JVM
 * start and model load once). With one input a failure propagates as the command's error; with several, each
 * failing input prints one line naming it and the others go on, and the result is exit status 1.
 */
final class Batch {
    private Batch() {}

    @FunctionalInterface
    interface Job {
        void run(String input) throws Exception;
    }

    static int run(String command, List<String> inputs, int jobs, PrintStream err, Job job) throws Exception {
        if (inputs.size() == 1) {
            job.run(inputs.get(0));
            return 0;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, inputs.size()), r -> {
            Thread t = new Thread(r, "sodec-" + command);
            t.setDaemon(true);
            return t;
        });
        int failed = 0;
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (String in : inputs) fs.add(pool.submit(() -> {
                job.run(in);
                return null;
            }));
            for (int i = 0; i < fs.size(); i++) {
                try {
                    fs.get(i).get();
                } catch (ExecutionException e) {
                    failed++;
                    err.println("sodec " + command + ": " + named(inputs.get(i), IoMessages.describe(e.getCause())));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (failed > 0) err.println("sodec " + command + ": " + failed + " of " + inputs.size() + " inputs failed");
        return failed > 0 ? 1 : 0;
    }

    /** The message, prefixed with the input unless it already names it. */
    static String named(String input, String message) {
        return message.contains(input) ? message : input + ": " + message;
    }
}
