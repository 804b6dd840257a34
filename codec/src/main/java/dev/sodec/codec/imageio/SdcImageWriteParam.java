package dev.sodec.codec.imageio;

import dev.sodec.codec.image.RgbImages;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.models.QualityLadder;
import dev.sodec.codec.models.UserModels;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageWriteParam;

/**
 * How the sodec ImageIO writer codes an image. The standard compression settings choose among the quality levels
 * ({@link QualityLadder}: the shipped models and those added with {@code sodec models add}, ordered by rate; they are
 * the compression types): {@code setCompressionType("medium")}, or {@code setCompressionQuality(q)} with q in [0, 1]
 * picking the level nearest q on an even spread (0 level 1, the lowest rate; 1 the highest level). A model folder whose
 * index cannot be read leaves the shipped levels only. {@link #setModel} names any model (a shipped name or a model file) and wins over both;
 * {@link #setBackground} sets the colour under transparent pixels.
 *
 * <pre>{@code
 * ImageWriter w = ImageIO.getImageWritersByFormatName("sdc").next();
 * ImageWriteParam p = w.getDefaultWriteParam();
 * p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
 * p.setCompressionQuality(1.0f);   // the highest quality level
 * }</pre>
 */
public final class SdcImageWriteParam extends ImageWriteParam {
    private final List<String> ladder;
    private String model;
    private int background = RgbImages.WHITE;

    public SdcImageWriteParam(Locale locale) {
        super(locale);
        ladder = levels().levels().stream().map(QualityLadder.Level::name).toList();
        canWriteCompressed = !ladder.isEmpty();
        if (canWriteCompressed) {
            compressionTypes = ladder.toArray(String[]::new);
            selectDefault();
        }
    }

    private static QualityLadder levels() {
        try {
            return QualityLadder.installed();
        } catch (IOException e) {
            return QualityLadder.of(BundledModels.ladder(), UserModels.none(ModelFinder.modelDir()));
        }
    }

    /** The default model as the compression type, and its place on the ladder as the quality. */
    private void selectDefault() {
        compressionType = BundledModels.list().get(0).name();
        compressionQuality = ladder.size() == 1 ? 0f : (float) ladder.indexOf(compressionType) / (ladder.size() - 1);
        qualityLast = false;
    }

    /**
     * Back to the default model. (The standard behaviour, which {@code setCompressionMode(MODE_EXPLICIT)} invokes,
     * would leave no compression type, so that {@code setCompressionQuality} would throw until one is set.)
     */
    @Override
    public void unsetCompression() {
        super.unsetCompression();
        if (canWriteCompressed) selectDefault();
    }

    /** A model by shipped name or file path, used whatever the compression settings say; null to clear. */
    public void setModel(String nameOrFile) {
        this.model = nameOrFile;
    }

    public String getModel() {
        return model;
    }

    /** The 0xRRGGBB colour transparent pixels are composited over (default white). */
    public void setBackground(int rgb) {
        if ((rgb & ~0xFFFFFF) != 0) throw new IllegalArgumentException("background must be 0xRRGGBB");
        this.background = rgb;
    }

    public int getBackground() {
        return background;
    }

    /** Which of the two compression settings was set last: it decides the model. */
    private boolean qualityLast;

    @Override
    public void setCompressionType(String type) {
        super.setCompressionType(type);
        qualityLast = false;
    }

    @Override
    public void setCompressionQuality(float quality) {
        super.setCompressionQuality(quality);
        qualityLast = true;
    }

    @Override
    public String[] getCompressionQualityDescriptions() {
        super.getCompressionQualityDescriptions(); // the standard state checks
        return ladder.toArray(String[]::new);
    }

    @Override
    public float[] getCompressionQualityValues() {
        super.getCompressionQualityValues();
        float[] v = new float[ladder.size()];
        for (int i = 0; i < v.length; i++) v[i] = ladder.size() == 1 ? 0f : (float) i / (ladder.size() - 1);
        return v;
    }

    @Override
    public boolean isCompressionLossless() {
        super.isCompressionLossless();
        return false;
    }

    /**
     * The model this param asks for: {@link #setModel}'s, else with {@code MODE_EXPLICIT} the compression type or,
     * when the quality was set after it, the ladder step nearest the quality; else null (the writer's default).
     */
    String resolveModel() {
        if (model != null) return model;
        if (!canWriteCompressed || getCompressionMode() != MODE_EXPLICIT) return null;
        if (!qualityLast && compressionType != null) return compressionType;
        return ladder.get(QualityLadder.nearestStep(compressionQuality, ladder.size()));
    }
}
