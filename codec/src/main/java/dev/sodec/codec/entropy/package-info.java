/**
 * Entropy coding, bitstream-compatible with CompressAI 1.2.4.
 *
 * <ul>
 *   <li>{@link dev.sodec.codec.entropy.RansEncoder} / {@link dev.sodec.codec.entropy.RansDecoder}: the bytes of
 *       {@code RansEncoder.encode_with_indexes} / {@code RansDecoder.decode_with_indexes}. 64-bit rANS state in
 *       [2^31, 2^63), 16-bit probabilities, 32-bit words stored little-endian, the first two words being the final
 *       encoder state (low word first). A value outside its row's range is sent as the row's last symbol
 *       ({@code cdf_length - 2}) followed by 4-bit bypass nibbles: the nibble count (runs of 15, then the rest),
 *       then the payload least significant nibble first; payload {@code -2v - 1} below the range, {@code 2(v - max)}
 *       above it. The decoder treats the stream as untrusted (see its class comment).</li>
 *   <li>{@link dev.sodec.codec.entropy.CdfTables}: validated {@code _quantized_cdf / _cdf_length / _offset};
 *       {@link dev.sodec.codec.entropy.QuantizedCdf}: {@code pmf_to_quantized_cdf}.</li>
 *   <li>{@link dev.sodec.codec.entropy.EntropyBottleneck} and {@link dev.sodec.codec.entropy.GaussianConditional}:
 *       the two CompressAI entropy models, loaded from state dicts scoped to {@code entropy_bottleneck} /
 *       {@code gaussian_conditional}, with {@code update()} to rebuild tables. The bottleneck's rebuild
 *       ({@link dev.sodec.codec.entropy.BottleneckTables}) is bit-exact with CompressAI on torch 1.13's CPU path:
 *       its float32 functions and summation orders are reproduced by {@code SleefFloat}, {@code GlibcFloat},
 *       {@code TorchKernels}, {@code TorchBmm} and {@code OpenBlasSgemm}.</li>
 * </ul>
 */
package dev.sodec.codec.entropy;
