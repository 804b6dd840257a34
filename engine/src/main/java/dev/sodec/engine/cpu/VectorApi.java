package dev.sodec.engine.cpu;

/**
 * Whether the incubating Vector API ({@code jdk.incubator.vector}) can be used in this JVM. It is present only when
 * the JVM was started with {@code --add-modules jdk.incubator.vector}; without it every class that names
 * {@code FloatVector} fails to link. The engine therefore asks here once, and when the module is missing runs its
 * scalar loops ({@code ScalarLoops}) and never loads a Vector API class: a library consumer needs no JVM flag, and
 * gets one warning saying how to make the CPU backend faster (the check Lucene makes:
 * {@code ModuleLayer.boot().findModule(...)}).
 */
public final class VectorApi {
    private VectorApi() {}

    /** The module name, as given to {@code --add-modules}. */
    public static final String MODULE = "jdk.incubator.vector";

    private static final boolean ENABLED = decide();

    /** True when the Vector API kernels run; false when the scalar fallback does (warned once, on stderr). */
    public static boolean enabled() {
        return ENABLED;
    }

    private static boolean decide() {
        boolean present = ModuleLayer.boot().findModule(MODULE).isPresent();
        if (!present) {
            // Through System.Logger (java.util.logging by default: stderr, WARNING), so an application can route it.
            System.getLogger("dev.sodec.engine").log(System.Logger.Level.WARNING,
                    "sodec: the Java Vector API is not enabled; the CPU engine runs scalar loops (several times"
                            + " slower). Start the JVM with --add-modules " + MODULE + " to use it.");
        }
        return present;
    }
}
