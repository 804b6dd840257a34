package dev.sodec.fuzz;

import dev.sodec.codec.container.Container;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * Makes fuzzed bytes reach the decoder behind the container's checks: a random mutation almost never keeps the
 * magic, the model id and the CRC right, and those checks have their own target ({@link ContainerFuzzTest}).
 */
final class Streams {
    private Streams() {}

    /** A copy of {@code data} with the magic, version, architecture and model id set and the CRC recomputed. */
    static byte[] forModel(byte[] data, int architecture, byte[] modelId) {
        if (data.length < 27) return data;
        byte[] c = data.clone();
        c[5] = (byte) architecture;
        System.arraycopy(modelId, 0, c, 6, Container.MODEL_ID_BYTES);
        return sealed(c);
    }

    /**
     * A copy of {@code data} with the magic and version set and the CRC recomputed; the architecture, model id and
     * everything else as given (the OneDC targets fuzz the architecture code and the model-id check too).
     */
    static byte[] sealed(byte[] data) {
        if (data.length < 27) return data;
        byte[] c = data.clone();
        System.arraycopy(Container.MAGIC, 0, c, 0, 4);
        c[4] = (byte) Container.VERSION;
        CRC32 crc = new CRC32();
        crc.update(c, 0, c.length - 4);
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(c.length - 4, (int) crc.getValue());
        return c;
    }
}
