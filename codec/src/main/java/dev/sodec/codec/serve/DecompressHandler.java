package dev.sodec.codec.serve;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.PreparedDecode;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.image.ImageTooLargeException;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.onedc.format.OneDcSdc;
import java.awt.image.BufferedImage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code POST /v1/decompress[?model=NAME]}: an {@code .sdc} body (its model found by the id it names, among the
 * loaded models) or OneDC's own {@code .bin} file (which names none: {@code model} is required) to an image in the
 * format {@code Accept} asks for. Parsing and entropy decoding run on the request's thread; the network runs in
 * the {@link DecodeBatcher}, batched with concurrent decodes of the same model and latent shape.
 */
final class DecompressHandler implements Handler {
    private final ModelRegistry models;
    private final DecodeBatcher batcher;
    private final ServeMetrics metrics;
    private final CodecOptions options;

    DecompressHandler(ModelRegistry models, DecodeBatcher batcher, ServeMetrics metrics, CodecOptions options) {
        this.models = models;
        this.batcher = batcher;
        this.metrics = metrics;
        this.options = options;
    }

    @Override
    public ApiResponse handle(ApiRequest r) throws Exception {
        ImageAnswer format = ImageAnswer.negotiate(r.header("accept"));
        byte[] body = r.body();
        if (body.length == 0) throw new HttpError(400, "empty body: POST an .sdc file's bytes");
        ModelRegistry.Loaded model = model(r, body);
        long t0 = System.nanoTime();
        PreparedDecode prepared = model.codec().prepareDecompress(body, false);
        long t1 = System.nanoTime();
        metrics.stage("prepare", t1 - t0);
        CompletableFuture<BufferedImage> done = batcher.submit(model.codec(), prepared);
        BufferedImage img;
        try {
            img = done.get();
        } catch (InterruptedException e) {
            done.cancel(false); // the batcher drops it if it has not run yet
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
        long t2 = System.nanoTime();
        ApiResponse answer = format.answer(img);
        metrics.stage("encode_image", System.nanoTime() - t2);
        return answer;
    }

    private ModelRegistry.Loaded model(ApiRequest r, byte[] body) throws HttpError {
        String name = r.query().get("model");
        if (Container.hasMagic(body)) {
            Container c = Container.parse(body);
            if ((long) c.width() * c.height() > options.maxPixels()) {
                throw new ImageTooLargeException("image size " + c.width() + "x" + c.height() + " exceeds this server's limit of "
                        + options.maxPixels() + " pixels");
            }
            if (name != null) return byName(name);
            return models.byId(c.modelId()).orElseThrow(() -> new HttpError(422, "the stream was made with model "
                    + ModelFinder.describe(c.modelId()) + ", which this server has not loaded (loaded: " + names() + ")"));
        }
        OneDcSdc.read(body); // not a container: OneDC's own layout, or a clear error (422)
        if (name == null) throw new HttpError(400, "a OneDC .bin file names no model: give ?model=NAME (loaded: " + names() + ")");
        return byName(name);
    }

    private ModelRegistry.Loaded byName(String name) throws HttpError {
        return models.byName(name).orElseThrow(() -> new HttpError(400, "unknown model '" + name + "' (loaded: " + names() + ")"));
    }

    private String names() {
        return String.join(", ", models.all().stream().map(ModelRegistry.Loaded::name).toList());
    }
}
