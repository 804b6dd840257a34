package dev.sodec.engine.backend;

/**
 * Bytes and copies between host and device: activations uploaded (graph inputs), results downloaded, and
 * constants (weights) uploaded once when a program is prepared.
 */
public record Transfers(long hostToDevice, long hostToDeviceBytes, long deviceToHost, long deviceToHostBytes,
                        long weightUploads, long weightUploadBytes) {
    public static final Transfers NONE = new Transfers(0, 0, 0, 0, 0, 0);

    public Transfers minus(Transfers o) {
        return new Transfers(hostToDevice - o.hostToDevice, hostToDeviceBytes - o.hostToDeviceBytes,
                deviceToHost - o.deviceToHost, deviceToHostBytes - o.deviceToHostBytes, weightUploads - o.weightUploads,
                weightUploadBytes - o.weightUploadBytes);
    }
}
