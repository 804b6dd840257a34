package dev.sodec.convert.onedc;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.model.OneDcLayouts;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The constructor arguments of OneDC's codec {@code IntraNoAR(cond_ch, ctrl_ch, internal_ch, bottleneck_ch,
 * unet_ch_config, z_fsq_levels)}. The release stores no config; every size but the FSQ level values is read from the
 * weights' shapes (and the whole layout is then checked against {@link OneDcLayouts#codec}); the level values are
 * OneDC's [4]*7 unless given.
 */
public record OneDcCodecConfig(int condCh, int ctrlCh, int internalCh, int bottleneckCh, int[] unetChConfig, int[] fsqLevels) {
    /** OneDC's z quantizer: FSQ([4] * 7), 14-bit indices. */
    public static final int[] ONEDC_FSQ_LEVELS = {4, 4, 4, 4, 4, 4, 4};

    /**
     * Reads the sizes from the codec weights.
     *
     * @param fsqLevels the FSQ levels (their count must match the weights)
     * @param file the file name errors start with
     */
    public static OneDcCodecConfig derive(Map<String, Tensor> sd, int[] fsqLevels, String file) throws CheckpointException {
        int n = dim(sd, "y_spatial_prior_reduction.weight", 0, file);
        int cond = dim(sd, "enc.pix_fusion.weight", 1, file) - OneDcLayouts.PIX_EMB;
        int internal = dim(sd, "dec.trans_coding.0.block.0.conv2.weight", 0, file);
        int ctrl = dim(sd, "dec.conv_out.block.0.conv2.weight", 0, file);
        int[] unet = new int[OneDcLayouts.ENCODER_BLOCKS];
        for (int i = 0; i < unet.length; i++) unet[i] = dim(sd, "enc.unet.down_blocks." + i + ".resnets.0.conv1.weight", 0, file);
        int zDims = dim(sd, "hyper_dec.feat_in.0.weight", 1, file);
        if (zDims != fsqLevels.length) {
            throw new CheckpointException(file + ": hyper_dec.feat_in.0.weight takes " + zDims + " FSQ channels, but "
                    + fsqLevels.length + " levels " + Arrays.toString(fsqLevels) + " were given");
        }
        if (cond < 1) throw new CheckpointException(file + ": enc.pix_fusion.weight has " + (cond + OneDcLayouts.PIX_EMB) + " input channels, fewer than the " + (OneDcLayouts.PIX_EMB + 1) + " OneDC's encoder needs");
        return new OneDcCodecConfig(cond, ctrl, internal, n, unet, fsqLevels.clone());
    }

    /** Every weight key and shape this config implies. */
    public Map<String, int[]> layout() {
        return OneDcLayouts.codec(condCh, ctrlCh, internalCh, bottleneckCh, unetChConfig, fsqLevels.length);
    }

    /** As IntraNoAR's keyword arguments (the JSON the model file stores). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cond_ch", (long) condCh);
        m.put("ctrl_ch", (long) ctrlCh);
        m.put("internal_ch", (long) internalCh);
        m.put("bottleneck_ch", (long) bottleneckCh);
        m.put("unet_ch_config", Arrays.stream(unetChConfig).mapToObj(v -> (Object) (long) v).toList());
        m.put("z_fsq_levels", Arrays.stream(fsqLevels).mapToObj(v -> (Object) (long) v).toList());
        return m;
    }

    private static int dim(Map<String, Tensor> sd, String key, int d, String file) throws CheckpointException {
        Tensor t = sd.get(key);
        if (t == null) throw new CheckpointException(file + ": weight " + key + " (which gives the codec's sizes) is missing");
        if (t.rank() <= d) throw new CheckpointException(file + ": weight " + key + " has shape " + Arrays.toString(t.shape()));
        return t.dim(d);
    }
}
