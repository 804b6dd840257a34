package dev.sodec.codec.sodec.vit;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.LayerNorm;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * transformers CLIPVisionModel with transformers 5.x key names (no {@code vision_model.} prefix):
 * tokens = [class_embedding, patch_embedding(x) in row-major patch order] + position_embedding; pre_layrnorm
 * (sic); encoder.layers.i; last_hidden_state = output of the last layer (no final norm); pooler_output =
 * post_layernorm(last_hidden_state[:, 0]).
 */
public final class ClipVisionModel {
    /** Outputs of a full forward. {@code hiddenStates.get(0)} is after pre_layrnorm, entry i the output of layer i. */
    public record Output(Node lastHiddenState, Node poolerOutput, List<Node> hiddenStates) {
        /** transformers' hidden_states[index], negative counting from the end (-2 = penultimate layer). */
        public Node hiddenState(int index) {
            return hiddenStates.get(index < 0 ? hiddenStates.size() + index : index);
        }
    }

    public final ClipVisionConfig config;
    private final Conv2d patchEmbedding;
    private final Tensor classEmbedding;
    private final Tensor positionEmbedding;
    private final LayerNorm preLayrnorm;
    private final ClipEncoderLayer[] layers;
    private final LayerNorm postLayernorm;

    private ClipVisionModel(ClipVisionConfig config, Conv2d patchEmbedding, Tensor classEmbedding, Tensor positionEmbedding,
                            LayerNorm preLayrnorm, ClipEncoderLayer[] layers, LayerNorm postLayernorm) {
        this.config = config;
        this.patchEmbedding = patchEmbedding;
        this.classEmbedding = classEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.preLayrnorm = preLayrnorm;
        this.layers = layers;
        this.postLayernorm = postLayernorm;
    }

    /** Builds the tower from CLIPVisionConfig JSON and weights scoped to the vision model (keys embeddings.*, ...). */
    public static ClipVisionModel load(StateDict sd, Config config) {
        return load(sd, ClipVisionConfig.from(config));
    }

    public static ClipVisionModel load(StateDict sd, ClipVisionConfig c) {
        int d = c.hiddenSize();
        StateDict emb = sd.scope("embeddings");
        Conv2d patch = Conv2d.load(emb.scope("patch_embedding"), c.numChannels(), d, c.patchSize(), Conv2dParams.of(c.patchSize(), 0));
        if (patch.bias != null) throw new IllegalArgumentException(emb.prefix() + "patch_embedding.bias: CLIP's patch embedding has no bias");
        Tensor cls = emb.take("class_embedding", d);
        Tensor pos = emb.take("position_embedding.weight", c.numPositions(), d);
        emb.ignore("position_ids"); // an arange buffer older transformers saved; positions are implicit here
        LayerNorm pre = LayerNorm.load(sd.scope("pre_layrnorm"), d, c.layerNormEps(), true);
        ClipEncoderLayer[] layers = new ClipEncoderLayer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = ClipEncoderLayer.load(sd.scope("encoder.layers." + i), c);
        LayerNorm post = LayerNorm.load(sd.scope("post_layernorm"), d, c.layerNormEps(), true);
        return new ClipVisionModel(c, patch, cls, pos, pre, layers, post);
    }

    /** All outputs: last_hidden_state (B, T, D), pooler_output (B, D) and every hidden state. */
    public Output forward(Graph g, Node pixelValues) {
        List<Node> hidden = new ArrayList<>(layers.length + 1);
        Node x = preLayrnorm.forward(g, embeddings(g, pixelValues));
        hidden.add(x);
        for (ClipEncoderLayer l : layers) {
            x = l.forward(g, x);
            hidden.add(x);
        }
        return new Output(x, pool(g, x), List.copyOf(hidden));
    }

    /**
     * transformers' hidden_states[index] alone (negative counts from the end; -2 is the penultimate layer SODEC
     * conditions on), running only the layers it needs and keeping no other hidden state.
     */
    public Node hiddenState(Graph g, Node pixelValues, int index) {
        int count = layers.length + 1;
        int idx = index < 0 ? count + index : index;
        if (idx < 0 || idx >= count) throw new IndexOutOfBoundsException("hidden state " + index + " of " + count);
        Node x = preLayrnorm.forward(g, embeddings(g, pixelValues));
        for (int i = 0; i < idx; i++) x = layers[i].forward(g, x);
        return x;
    }

    private Node pool(Graph g, Node last) {
        int nb = last.dim(0), d = last.dim(2);
        return postLayernorm.forward(g, last.slice(1, 0, 1)).reshape(nb, d);
    }

    /** pixel_values (B, C, S, S) -> (B, 1 + (S/patch)^2, D) before pre_layrnorm. */
    private Node embeddings(Graph g, Node pixels) {
        int[] s = pixels.shape();
        if (s.length != 4 || s[1] != config.numChannels() || s[0] < 1) {
            throw new IllegalArgumentException("CLIP vision: pixel_values must be (B, " + config.numChannels() + ", "
                    + config.imageSize() + ", " + config.imageSize() + "), got " + Arrays.toString(s));
        }
        if (s[2] != config.imageSize() || s[3] != config.imageSize()) {
            throw new IllegalArgumentException("CLIP vision: input image size " + s[2] + "x" + s[3] + " does not match image_size "
                    + config.imageSize());
        }
        int nb = s[0], d = config.hiddenSize(), tokens = config.numPositions();
        Node patches = patchEmbedding.forward(g, pixels);       // (B, D, g, g)
        patches = g.transpose(patches.reshape(nb, d, tokens - 1)); // (B, g*g, D), row-major patch order
        Node[] parts = new Node[nb + 1];
        Node cls = g.constant(classEmbedding).reshape(1, 1, d);
        Arrays.fill(parts, 0, nb, cls);
        Node clsRows = nb == 1 ? cls : g.concat(0, Arrays.copyOf(parts, nb));
        Node x = g.concat(1, clsRows, patches);
        // position embeddings broadcast over the batch: view tokens as (B, T*D) rows plus a (T*D) bias
        return g.addPerChannel(x.reshape(nb, tokens * d), g.constant(positionEmbedding).reshape(tokens * d)).reshape(nb, tokens, d);
    }
}
