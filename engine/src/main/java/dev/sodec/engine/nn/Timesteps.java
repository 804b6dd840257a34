package dev.sodec.engine.nn;

import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers Timesteps / get_timestep_embedding: sinusoidal features of N timesteps, always in float32 (as diffusers
 * does even for float64 models; at t ~ 1000 the argument is ~1e3 rad, so double arithmetic would differ by 1e-4):
 * freq[i] = exp(float(-ln(max_period)) * i / (half - shift)), arg = float(t) * freq[i], features
 * [sin(arg), cos(arg)], or [cos, sin] with flip_sin_to_cos; an odd width gets a zero last column.
 * No weights; the result is a small host tensor.
 */
public final class Timesteps {
    public final int numChannels;
    public final boolean flipSinToCos;
    public final float downscaleFreqShift;
    public final float scale;
    public final int maxPeriod;

    public Timesteps(int numChannels, boolean flipSinToCos, float downscaleFreqShift, float scale, int maxPeriod) {
        if (numChannels < 2) throw new IllegalArgumentException("Timesteps: num_channels " + numChannels + " < 2");
        if (numChannels / 2 == downscaleFreqShift) throw new IllegalArgumentException("Timesteps: half width equals the shift");
        this.numChannels = numChannels;
        this.flipSinToCos = flipSinToCos;
        this.downscaleFreqShift = downscaleFreqShift;
        this.scale = scale;
        this.maxPeriod = maxPeriod;
    }

    /** The diffusers defaults used by UNet2DConditionModel: scale 1, max_period 10000. */
    public Timesteps(int numChannels, boolean flipSinToCos, float downscaleFreqShift) {
        this(numChannels, flipSinToCos, downscaleFreqShift, 1f, 10000);
    }

    /** timesteps (N) of any float dtype -> (N, numChannels) F32. */
    public Tensor forward(Tensor timesteps) {
        if (timesteps.rank() != 1) throw new IllegalArgumentException("Timesteps: expected (N) timesteps, got " + timesteps);
        float[] t = timesteps.toFloatArray();
        int half = numChannels / 2;
        float negLog = (float) -Math.log(maxPeriod);
        float denom = half - downscaleFreqShift;
        float[] freq = new float[half];
        for (int i = 0; i < half; i++) freq[i] = (float) Math.exp((negLog * (float) i) / denom);
        float[] out = new float[t.length * numChannels];
        int sinAt = flipSinToCos ? half : 0, cosAt = flipSinToCos ? 0 : half;
        for (int n = 0; n < t.length; n++) {
            int row = n * numChannels;
            for (int i = 0; i < half; i++) {
                float arg = scale * (t[n] * freq[i]);
                out[row + sinAt + i] = (float) Math.sin(arg);
                out[row + cosAt + i] = (float) Math.cos(arg);
            }
        }
        return Tensor.fromFloats(out, t.length, numChannels);
    }
}
