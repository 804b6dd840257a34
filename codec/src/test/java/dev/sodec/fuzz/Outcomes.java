package dev.sodec.fuzz;

import java.util.List;

/**
 * The one rule every fuzz target checks: an input either goes through, or fails with one of the exceptions its
 * parser documents for bad input, carrying a one-line message that names the problem. Anything else (another
 * exception, an error such as StackOverflowError or OutOfMemoryError, a blank or multi-line message) escapes to
 * Jazzer as a finding.
 */
final class Outcomes {
    private Outcomes() {}

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body}; returns the expected failure it ended in, or null when it went through. */
    static Throwable expect(Body body, List<Class<? extends Throwable>> expected) throws Exception {
        try {
            body.run();
            return null;
        } catch (Exception e) {
            for (Class<? extends Throwable> c : expected) {
                if (c.isInstance(e)) {
                    requireOneLine(e);
                    return e;
                }
            }
            throw e;
        }
    }

    static void requireOneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) throw new AssertionError(e.getClass().getName() + " without a message", e);
        if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new AssertionError(e.getClass().getName() + " with a multi-line message: " + m, e);
        }
        if (m.length() > 4096) throw new AssertionError(e.getClass().getName() + " with a " + m.length() + "-character message", e);
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }
}
