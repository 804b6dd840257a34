package dev.sodec.engine.backend;

import dev.sodec.engine.graph.Program;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The programs a backend prepared and that are not closed yet, so that closing the backend first closes them (their
 * arenas and constants go back before the device does) whatever order the owners close in; a program closed later
 * finds itself already closed.
 */
public final class OpenPrograms {
    private final Set<Program> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    public synchronized void add(Program p) {
        if (closed) throw new IllegalStateException("backend is closed");
        open.add(p);
    }

    public synchronized void remove(Program p) {
        open.remove(p);
    }

    /** Closes every open program (each removes itself) and refuses new ones. */
    public void closeAll() {
        List<Program> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(open);
        }
        for (Program p : all) p.close();
    }
}
