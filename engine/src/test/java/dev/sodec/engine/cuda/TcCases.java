package dev.sodec.engine.cuda;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Lifecycle shared by the tensor-core test cases: one device per test class ({@link #open}: the emulator in the
 * *Test classes, the GPU in TensorCoreGpuTest's nested classes), freed after each test, closed after the class, and
 * a CPU backend for the references.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TcCases {
    protected TcDevice dev;
    protected Eager cpu;

    /** The device the cases run on; null skips every case (no GPU here). */
    abstract TcDevice open();

    @BeforeAll
    void openDevice() {
        cpu = new Eager(new CpuBackend(2));
        dev = open();
    }

    @BeforeEach
    void needDevice() {
        Assumptions.assumeTrue(dev != null, "no CUDA driver or GPU here: tensor-core GPU tests skipped");
    }

    @AfterEach
    void freeBlocks() {
        if (dev != null) dev.freeAll();
    }

    @AfterAll
    void closeDevice() {
        if (dev != null) dev.close();
        if (cpu != null) cpu.close();
    }
}
