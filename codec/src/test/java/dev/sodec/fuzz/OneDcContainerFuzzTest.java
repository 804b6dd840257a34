package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcSdc;
import java.util.Arrays;
import java.util.List;

/**
 * The OneDC file parse ({@link OneDcSdc#read}) on raw bytes, both layouts: OneDC's own {@code .bin} (big-endian
 * sizes, y stream, z stream of implied length, caption) and the {@code .sdc} container with architecture code 3 or 4.
 * Inputs starting with 0x89 get the container's magic, version and CRC fixed up ({@link Streams#sealed}: the
 * {@code Container} target covers those checks) so that mutations reach the OneDC checks behind them. Bytes parse
 * or are refused with a {@link ContainerException}; what parses writes back to exactly the same bytes in its own
 * layout, and converts losslessly to the other layout and back.
 * Seeds: {@link MakeSeeds} (the golden {@code onedc.container} file, files the tiny OneDC model wrote, both layouts).
 */
public class OneDcContainerFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        byte[] in = data.length > 0 && data[0] == Container.MAGIC[0] ? Streams.sealed(data) : data;
        OneDcSdc.Parsed[] p = new OneDcSdc.Parsed[1];
        Throwable e = Outcomes.expect(() -> p[0] = OneDcSdc.read(in), List.of(ContainerException.class));
        if (e != null) return;
        OneDcFile f = p[0].file();
        if (p[0].modelId() == null) {
            Outcomes.check(Arrays.equals(f.encode(), in), "OneDC file does not re-encode to its bytes");
            byte[] sdc = OneDcSdc.toSdc(f, new byte[Container.MODEL_ID_BYTES]).encode();
            Outcomes.check(Arrays.equals(OneDcSdc.read(sdc).file().encode(), in), "OneDC file does not survive the .sdc container");
        } else {
            Outcomes.check(Arrays.equals(OneDcSdc.toSdc(f, p[0].modelId()).encode(), in), "OneDC container does not re-encode to its bytes");
            Outcomes.check(Arrays.equals(OneDcSdc.toSdc(OneDcFile.parse(f.encode()), p[0].modelId()).encode(), in),
                    "OneDC container does not survive OneDC's own layout");
        }
    }

    @FuzzTest
    void onedcContainer(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
