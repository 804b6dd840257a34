package dev.sodec.codec.serve;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.SourceImage;
import java.util.Map;

/**
 * {@code POST /v1/compress?model=NAME|quality=Q}: an image body (any format {@code sodec compress} reads) to the
 * {@code .sdc} bytes {@code sodec compress} writes for it with that model.
 */
final class CompressHandler implements Handler {
    static final String SDC_TYPE = "image/x-sodec";

    private final ModelRegistry models;
    private final ComputeSlots slots;
    private final ServeMetrics metrics;
    private final CodecOptions options;

    CompressHandler(ModelRegistry models, ComputeSlots slots, ServeMetrics metrics, CodecOptions options) {
        this.models = models;
        this.slots = slots;
        this.metrics = metrics;
        this.options = options;
    }

    @Override
    public ApiResponse handle(ApiRequest r) throws Exception {
        ModelRegistry.Loaded model = pick(r.query());
        if (r.body().length == 0) throw new HttpError(400, "empty body: POST the image file's bytes");
        long t0 = System.nanoTime();
        SourceImage img = ImageFiles.decode(r.body(), "body", options.maxPixels(), options.background());
        long t1 = System.nanoTime();
        metrics.stage("read_image", t1 - t0);
        byte[] sdc = slots.run(() -> model.codec().compress(img.image()));
        metrics.stage("compress", System.nanoTime() - t1);
        return ApiResponse.ok(SDC_TYPE, sdc, Map.of("X-Sodec-Model", model.name()));
    }

    private ModelRegistry.Loaded pick(Map<String, String> q) throws HttpError {
        String name = q.get("model"), quality = q.get("quality");
        if (name != null && quality != null) throw new HttpError(400, "give model or quality, not both");
        if (name != null) {
            return models.byName(name).orElseThrow(() -> new HttpError(400, "unknown model '" + name + "' (loaded: " + names() + ")"));
        }
        if (quality != null) {
            double v;
            try {
                v = Double.parseDouble(quality);
            } catch (NumberFormatException e) {
                throw new HttpError(400, "quality must be a number in [0, 1], got '" + quality + "'");
            }
            if (!(v >= 0 && v <= 1)) throw new HttpError(400, "quality must be a number in [0, 1], got '" + quality + "'");
            return models.forQuality(v).orElseThrow(() -> new HttpError(400, "quality picks among the shipped models, and none"
                    + " is loaded: name one with model= (loaded: " + names() + ")"));
        }
        return models.defaultModel();
    }

    private String names() {
        return String.join(", ", models.all().stream().map(ModelRegistry.Loaded::name).toList());
    }
}
