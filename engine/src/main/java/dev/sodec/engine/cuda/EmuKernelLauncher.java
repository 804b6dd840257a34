package dev.sodec.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs our CUDA kernels on the host: the kernels module compiles the same .cu sources with g++ against its emulator
 * header into libsodec_kernels_emu.so, shipped as a classpath resource. This class extracts it once per process,
 * binds its C entry points through FFM and launches kernels by name. Device pointers are host addresses of native
 * memory (any {@link MemorySegment} that is not on the Java heap).
 */
public final class EmuKernelLauncher implements KernelLauncher {
    /** Classpath location of the emulator library built by kernels/build.sh. */
    public static final String RESOURCE = "/native/linux-x86_64/libsodec_kernels_emu.so";

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static volatile Native lib;

    private final int workers;

    /** Emulator with up to {@code workers} blocks running at once (1 = blocks strictly one after another). */
    public EmuKernelLauncher(int workers) {
        if (workers < 1 || workers > 64) throw new IllegalArgumentException("workers must be in 1..64, got " + workers);
        this.workers = workers;
        library();
    }

    public EmuKernelLauncher() {
        this(Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public String name() {
        return "emulator (" + workers + " workers)";
    }

    /** Names of every kernel the library holds. */
    public static List<String> kernelNames() {
        Native n = library();
        try {
            int count = (int) n.kernelCount.invokeExact();
            List<String> names = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                MemorySegment s = (MemorySegment) n.kernelName.invokeExact(i);
                names.add(s.reinterpret(4096).getString(0));
            }
            return names;
        } catch (Throwable t) {
            throw new KernelLaunchException("cannot list emulator kernels", t);
        }
    }

    @Override
    public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        Native n = library();
        int count = args.count();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(kernel);
            MemorySegment kinds = arena.allocateFrom(args.kinds());
            MemorySegment sizes = arena.allocate(I32, Math.max(count, 1));
            MemorySegment values = arena.allocate(8L * Math.max(count, 1), 8);
            MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(count, 1));
            for (int i = 0; i < count; i++) {
                sizes.setAtIndex(I32, i, args.size(i));
                // Little-endian: a 4-byte parameter is the low half of its 8-byte slot.
                values.set(I64_LE, 8L * i, args.bits(i));
                pointers.setAtIndex(ValueLayout.ADDRESS, i, values.asSlice(8L * i, 8));
            }
            int rc = (int) n.launch.invokeExact(name, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    sharedBytes, workers, count, kinds, sizes, pointers);
            if (rc != 0) throw new KernelLaunchException(lastError(n));
        } catch (KernelLaunchException e) {
            throw e;
        } catch (Throwable t) {
            throw new KernelLaunchException("emulator launch of " + kernel + " failed", t);
        }
    }

    private static String lastError(Native n) throws Throwable {
        MemorySegment s = (MemorySegment) n.lastError.invokeExact();
        return s.reinterpret(1 << 16).getString(0);
    }

    private static Native library() {
        Native n = lib;
        if (n == null) {
            synchronized (EmuKernelLauncher.class) {
                n = lib;
                if (n == null) {
                    n = new Native(extract());
                    lib = n;
                }
            }
        }
        return n;
    }

    private static Path extract() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new KernelLaunchException("the kernel emulator library is built for linux-x86_64 only, not " + os + "/" + arch);
        }
        try (InputStream in = EmuKernelLauncher.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new KernelLaunchException("classpath resource " + RESOURCE + " is missing: build the kernels module "
                        + "(it needs g++) and put sodec-kernels on the classpath");
            }
            Path tmp = Files.createTempFile("libsodec_kernels_emu", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new KernelLaunchException("cannot extract " + RESOURCE, e);
        }
    }

    /** The library's C entry points (see kernels/emu/sodec_emu.cpp). */
    private static final class Native {
        final MethodHandle launch, lastError, kernelCount, kernelName;

        Native(Path path) {
            SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
            Linker linker = Linker.nativeLinker();
            launch = linker.downcallHandle(find(lookup, "sodec_emu_launch"), FunctionDescriptor.of(I32,
                    ValueLayout.ADDRESS, I32, I32, I32, I32, I32, I32, I32, I32, I32,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            lastError = linker.downcallHandle(find(lookup, "sodec_emu_last_error"), FunctionDescriptor.of(ValueLayout.ADDRESS));
            kernelCount = linker.downcallHandle(find(lookup, "sodec_emu_kernel_count"), FunctionDescriptor.of(I32));
            kernelName = linker.downcallHandle(find(lookup, "sodec_emu_kernel_name"), FunctionDescriptor.of(ValueLayout.ADDRESS, I32));
        }

        private static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new KernelLaunchException("emulator library lacks " + name));
        }
    }
}
