package dev.sodec.codec.conformance;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.onedc.entropy.OneDcGaussian;
import dev.sodec.codec.onedc.entropy.OneDcRansDecoder;
import dev.sodec.codec.onedc.entropy.OneDcRansEncoder;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.fsq.Fsq;
import dev.sodec.codec.onedc.fsq.ZPacking;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conformance kinds {@code onedc.*} of OneDC's entropy coding and file layout (golden FORMAT.md section 7): the
 * Gaussian tables, the scale index, the byte-wise rANS, FSQ, the z packing and the file layout. The kinds that need
 * OneDC's networks (four_part, blocks, modules, pipeline) are registered by the network code.
 */
public final class OneDcKinds {
    private OneDcKinds() {}

    public static void register(Kinds k) {
        k.register("onedc.cdf_tables", OneDcKinds::cdfTables);
        k.register("onedc.scale_index", OneDcKinds::scaleIndex);
        k.register("onedc.rans", OneDcKinds::rans);
        k.register("onedc.fsq", OneDcKinds::fsq);
        k.register("onedc.z_pack", OneDcKinds::zPack);
        k.register("onedc.container", OneDcKinds::container);
    }

    private static Map<String, Tensor> cdfTables(GoldenCase c, Backend backend) {
        if (!c.config().getString("distribution", "gaussian").equals("gaussian")) {
            throw new IllegalArgumentException("onedc.cdf_tables: only the gaussian distribution is used by OneDC");
        }
        CdfTables t = OneDcGaussian.tables();
        float[] scales = OneDcGaussian.scaleTable();
        int[] bits = new int[scales.length];
        for (int i = 0; i < bits.length; i++) bits[i] = Float.floatToRawIntBits(scales[i]);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("quantized_cdf", t.quantizedCdfTensor());
        out.put("cdf_length", t.cdfLengthTensor());
        out.put("offset", t.offsetTensor());
        out.put("scale_table", Tensor.fromFloats(scales, scales.length));
        out.put("scale_table_bits", Tensor.fromInts(bits, bits.length));
        return out;
    }

    private static Map<String, Tensor> scaleIndex(GoldenCase c, Backend backend) {
        float[] sigma = c.input("sigma").toFloatArray();
        int[] idx = OneDcGaussian.scaleIndexes(sigma);
        return Map.of("index", Tensor.fromInts(idx, c.input("sigma").shape()));
    }

    /** One encoder, one encode call per chunk of call_sizes, one finish; decoded by as many sequential calls. */
    private static Map<String, Tensor> rans(GoldenCase c, Backend backend) {
        int[] symbols = c.input("symbols").toIntArray();
        int[] indexes = c.input("indexes").toIntArray();
        int[] calls = c.input("call_sizes").toIntArray();
        Tensor cdfs = c.input("cdfs");
        CdfTables tables = CdfTables.of(cdfs.toIntArray(), cdfs.dim(1), c.input("cdf_lengths").toIntArray(),
                c.input("offsets").toIntArray());
        if (Arrays.stream(calls).asLongStream().sum() != symbols.length || indexes.length != symbols.length) {
            throw new IllegalArgumentException("onedc.rans: call_sizes do not add up to the " + symbols.length + " symbols");
        }
        OneDcRansEncoder enc = new OneDcRansEncoder();
        int at = 0;
        for (int n : calls) {
            enc.encode(symbols, at, indexes, at, n, tables);
            at += n;
        }
        byte[] bytes = enc.finish();
        OneDcRansDecoder dec = new OneDcRansDecoder(bytes);
        int[] decoded = new int[symbols.length];
        at = 0;
        for (int n : calls) {
            dec.decode(indexes, at, n, tables, decoded, at);
            at += n;
        }
        dec.finish();
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("bytes", Tensor.fromBytes(bytes));
        out.put("decoded", Tensor.fromInts(decoded, decoded.length));
        return out;
    }

    private static Map<String, Tensor> fsq(GoldenCase c, Backend backend) {
        Fsq fsq = new Fsq(c.config().getIntList("levels"));
        Tensor z = c.input("z");
        int[] shape = z.shape();
        if (shape.length != 4 || shape[0] != 1 || shape[1] != fsq.dims()) {
            throw new IllegalArgumentException("onedc.fsq: z must be (1, " + fsq.dims() + ", h, w), got " + Arrays.toString(shape));
        }
        float[] zv = z.toFloatArray();
        float[] codes = fsq.codes(zv);
        int[] indices = fsq.indices(codes);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("bounded", Tensor.fromFloats(fsq.bound(zv), shape));
        out.put("codes", Tensor.fromFloats(codes, shape));
        out.put("indices", Tensor.fromInts(indices, 1, shape[2], shape[3]));
        out.put("codes_from_indices", Tensor.fromFloats(fsq.codesOf(indices), shape));
        return out;
    }

    private static Map<String, Tensor> zPack(GoldenCase c, Backend backend) {
        OneDcGeometry g = new OneDcGeometry(c.config().getInt("height"), c.config().getInt("width"));
        int bits = c.config().getInt("index_unit_length", ZPacking.ONEDC_BITS);
        if (c.config().getInt("ds", OneDcGeometry.Z_DOWNSAMPLE) != OneDcGeometry.Z_DOWNSAMPLE) {
            throw new IllegalArgumentException("onedc.z_pack: OneDC's z downsampling is " + OneDcGeometry.Z_DOWNSAMPLE);
        }
        Tensor idx = c.input("indices");
        int[] want = {1, g.zHeight(), g.zWidth()};
        if (!Arrays.equals(idx.shape(), want)) {
            throw new IllegalArgumentException("onedc.z_pack: indices " + Arrays.toString(idx.shape()) + " for a " + g.width()
                    + "x" + g.height() + " image, expected " + Arrays.toString(want));
        }
        byte[] bytes = ZPacking.pack(idx.toIntArray(), bits);
        int[] back = ZPacking.unpack(bytes, g.zCount(), bits);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("bytes", Tensor.fromBytes(bytes));
        out.put("indices_decoded", Tensor.fromInts(back, want));
        return out;
    }

    /** encode_i, and decode_i of the result must give the size, padding and streams back. */
    private static Map<String, Tensor> container(GoldenCase c, Backend backend) {
        OneDcGeometry g = new OneDcGeometry(c.config().getInt("height"), c.config().getInt("width"));
        byte[] y = bytes(c.input("y_stream")), z = bytes(c.input("z_stream"));
        byte[] file = new OneDcFile(g, y, z).encode();
        OneDcFile back = OneDcFile.parse(file);
        if (!back.geometry().equals(g) || !Arrays.equals(back.yStream(), y) || !Arrays.equals(back.zStream(), z) || back.caption().length != 0) {
            throw new IllegalStateException("onedc.container: parse(encode(x)) != x");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("file", Tensor.fromBytes(file));
        out.put("pad_hw", Tensor.fromInts(new int[] {back.geometry().paddedHeight(), back.geometry().paddedWidth()}, 2));
        out.put("pad_tuple", Tensor.fromInts(back.geometry().padTuple(), 4));
        return out;
    }

    private static byte[] bytes(Tensor t) {
        return t.contiguous().data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
