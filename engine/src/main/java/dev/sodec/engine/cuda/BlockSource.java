package dev.sodec.engine.cuda;

/** Where a device block comes from and goes back to: the backend's pool, or a captured graph's own memory. */
interface BlockSource {
    long allocate(long bytes);

    void release(long ptr);
}
