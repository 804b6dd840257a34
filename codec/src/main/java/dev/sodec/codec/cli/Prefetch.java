package dev.sodec.codec.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A value computed on a thread of its own while the caller does something else (a call's image read while its
 * model is found and checked: on two cores this takes the shorter of the two off the call's wall time). {@link #get}
 * throws what the computation threw, as if it had run on the caller's thread.
 */
final class Prefetch<T> {
    private final FutureTask<T> task;

    private Prefetch(Callable<T> work, String name) {
        task = new FutureTask<>(work);
        Thread.ofPlatform().name(name).daemon().start(task);
    }

    static <T> Prefetch<T> start(String name, Callable<T> work) {
        return new Prefetch<>(work, name);
    }

    T get() throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception x) throw x;
            if (c instanceof Error x) throw x;
            throw e;
        }
    }
}
