package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import java.util.Arrays;
import java.util.List;

/**
 * The .sdc container parser on raw bytes (magic, version, lengths, CRC): bytes parse or are refused with a
 * {@link ContainerException}; what parses encodes back to exactly the same bytes.
 */
public class ContainerFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Container[] c = new Container[1];
        Throwable e = Outcomes.expect(() -> c[0] = Container.parse(data), List.of(ContainerException.class));
        if (e == null) Outcomes.check(Arrays.equals(c[0].encode(), data), "container does not re-encode to its bytes");
    }

    @FuzzTest
    void container(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
