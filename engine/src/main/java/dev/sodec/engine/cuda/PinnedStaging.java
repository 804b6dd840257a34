package dev.sodec.engine.cuda;

import java.lang.foreign.MemorySegment;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Two page-locked host buffers for host/device copies: an upload copies the next chunk of the source into a free
 * buffer while the previous chunk's DMA runs, each buffer's reuse waits on the event recorded after its copy. A
 * download copies back chunk by chunk after its DMA completes. The caller holds the device lock.
 */
final class PinnedStaging implements AutoCloseable {
    static final long CHUNK = 16L << 20;

    private final Pointer[] host = {new Pointer(), new Pointer()};
    private final MemorySegment[] view = new MemorySegment[2];
    private final CUevent[] done = {new CUevent(), new CUevent()};
    private final boolean[] pending = new boolean[2];
    private int next;

    PinnedStaging() {
        for (int i = 0; i < 2; i++) {
            JCudaDriver.cuMemHostAlloc(host[i], CHUNK, 0);
            view[i] = MemorySegment.ofBuffer(host[i].getByteBuffer(0, CHUNK));
            JCudaDriver.cuEventCreate(done[i], CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
    }

    private int take() {
        int i = next;
        next = 1 - next;
        if (pending[i]) JCudaDriver.cuEventSynchronize(done[i]);
        pending[i] = false;
        return i;
    }

    void upload(MemorySegment src, long dst, CUstream stream) {
        for (long off = 0; off < src.byteSize(); off += CHUNK) {
            long n = Math.min(CHUNK, src.byteSize() - off);
            int i = take();
            MemorySegment.copy(src, off, view[i], 0, n);
            JCudaDriver.cuMemcpyHtoDAsync(new CUdeviceptr().withByteOffset(dst + off), host[i], n, stream);
            JCudaDriver.cuEventRecord(done[i], stream);
            pending[i] = true;
        }
    }

    void download(long src, MemorySegment dst, CUstream stream) {
        for (long off = 0; off < dst.byteSize(); off += CHUNK) {
            long n = Math.min(CHUNK, dst.byteSize() - off);
            int i = take();
            JCudaDriver.cuMemcpyDtoHAsync(host[i], new CUdeviceptr().withByteOffset(src + off), n, stream);
            JCudaDriver.cuStreamSynchronize(stream);
            MemorySegment.copy(view[i], 0, dst, off, n);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < 2; i++) {
            if (pending[i]) JCudaDriver.cuEventSynchronize(done[i]);
            JCudaDriver.cuEventDestroy(done[i]);
            JCudaDriver.cuMemFreeHost(host[i]);
        }
    }
}
