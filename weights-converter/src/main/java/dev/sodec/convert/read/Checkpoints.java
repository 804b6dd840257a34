package dev.sodec.convert.read;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.torch.PyTuple;
import dev.sodec.convert.torch.TensorRef;
import dev.sodec.convert.torch.TorchFile;
import dev.sodec.convert.torch.ZipArchive;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens one weight file of any supported container (torch zip, torch legacy, safetensors), detected from its bytes,
 * and returns its state dict as zero-copy tensors. Training checkpoints are unwrapped to their state dict.
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** Keys under which training scripts (CompressAI train.py, Lightning, LDM) store the model's state dict. */
    private static final List<String> WRAPPER_KEYS = List.of("state_dict", "model_state_dict", "model", "module", "net");

    /** Which container a file is, from its first bytes. */
    public enum Container { TORCH_ZIP, TORCH_LEGACY, SAFETENSORS }

    public static Container detect(Path path) throws IOException {
        byte[] head = new byte[16];
        int n;
        try (InputStream is = Files.newInputStream(path)) {
            n = is.readNBytes(head, 0, head.length);
        }
        MemorySegment h = MemorySegment.ofArray(Arrays.copyOf(head, n));
        if (ZipArchive.looksLikeZip(h)) return Container.TORCH_ZIP;
        if (TorchFile.looksLikeLegacy(h)) return Container.TORCH_LEGACY;
        if (path.getFileName().toString().endsWith(".safetensors") || (n > 8 && head[8] == '{')) return Container.SAFETENSORS;
        if (Files.size(path) >= 262) {
            byte[] tar = new byte[5];
            try (InputStream is = Files.newInputStream(path)) {
                is.skipNBytes(257);
                is.readNBytes(tar, 0, 5);
            }
            if (new String(tar, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")) {
                throw new CheckpointException(path.getFileName() + ": tar-format torch checkpoint (PyTorch < 0.4) is not supported; re-save it with a newer torch");
            }
        }
        throw new CheckpointException(path.getFileName() + ": unrecognised weight file (not a torch zip, legacy torch pickle or safetensors file)");
    }

    /** Opens {@code path} and returns its (unwrapped) state dict; tensors stay valid until the result is closed. */
    public static Weights open(Path path) throws IOException {
        return switch (detect(path)) {
            case SAFETENSORS -> {
                SafeTensors st = SafeTensors.open(path);
                yield new Weights(st.fileName(), "safetensors", st.tensors(), st.metadata(), st);
            }
            case TORCH_ZIP, TORCH_LEGACY -> {
                TorchFile tf = TorchFile.open(path);
                try {
                    Map<String, Tensor> sd = stateDict(tf);
                    String container = tf.container() == TorchFile.Container.ZIP ? "torch zip" : "torch legacy";
                    yield new Weights(tf.fileName(), container, sd, Map.of(), tf);
                } catch (IOException | RuntimeException e) {
                    tf.close();
                    throw e;
                }
            }
        };
    }

    private static Map<String, Tensor> stateDict(TorchFile tf) throws CheckpointException {
        String file = tf.fileName();
        if (!(tf.root() instanceof Map<?, ?> top)) {
            throw new CheckpointException(file + ": the pickled object is " + kind(tf.root()) + ", not a state dict");
        }
        Map<?, ?> sd = top;
        String where = "";
        if (!holdsTensors(top)) {
            sd = null;
            for (String k : WRAPPER_KEYS) {
                if (top.get(k) instanceof Map<?, ?> m && holdsTensors(m)) {
                    sd = m;
                    where = "['" + k + "']";
                    break;
                }
            }
            if (sd == null) {
                throw new CheckpointException(file + ": no state dict found: the top-level dict holds no tensors and none of "
                        + WRAPPER_KEYS + " is a dict of tensors (keys: " + keysOf(top) + ")");
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : sd.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new CheckpointException(file + ": state dict" + where + " has a non-string key " + e.getKey());
            }
            if (!(e.getValue() instanceof TensorRef ref)) {
                throw new CheckpointException(file + ": state dict" + where + " entry '" + key + "' is " + kind(e.getValue())
                        + ", not a tensor");
            }
            out.put(key, tf.tensor(ref, key));
        }
        return stripCommonPrefix(out, "module.");
    }

    /** DataParallel-wrapped models save every key under "module.": drop it when all keys have it. */
    public static Map<String, Tensor> stripCommonPrefix(Map<String, Tensor> sd, String prefix) {
        if (sd.isEmpty() || !sd.keySet().stream().allMatch(k -> k.startsWith(prefix))) return sd;
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
        return out;
    }

    private static boolean holdsTensors(Map<?, ?> m) {
        if (m.isEmpty()) return false;
        for (Object v : m.values()) if (!(v instanceof TensorRef)) return false;
        return true;
    }

    private static String keysOf(Map<?, ?> m) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (Object k : m.keySet()) {
            if (i++ == 10) {
                b.append(", ...");
                break;
            }
            if (b.length() > 0) b.append(", ");
            b.append(k);
        }
        return b.toString();
    }

    private static String kind(Object o) {
        if (o == null) return "None";
        if (o instanceof PyTuple) return "a tuple";
        if (o instanceof List<?>) return "a list";
        if (o instanceof Map<?, ?>) return "a dict";
        if (o instanceof TensorRef) return "a tensor";
        if (o instanceof dev.sodec.convert.torch.PyOpaque op) return "a " + op.className() + " object";
        return "a " + o.getClass().getSimpleName();
    }
}
