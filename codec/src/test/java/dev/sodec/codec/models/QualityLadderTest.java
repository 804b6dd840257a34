package dev.sodec.codec.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ladder's order, numbering and lookups, the user index, and the shipped index's rates against a measurement. */
class QualityLadderTest {
    @TempDir
    Path tmp;

    private static BundledModels.Model shipped(String name, double bpp) {
        return new BundledModels.Model(name, name + ".safetensors", "", bpp);
    }

    @Test
    void addedModelsSlotInByRateAndUnknownRatesGoLast() throws IOException {
        UserModels user = UserModels.read(tmp)
                .with(new UserModels.Entry("zoo-1", "zoo-1.safetensors", "a", 0.15))
                .with(new UserModels.Entry("odd", "odd.safetensors", "no rate", Double.NaN))
                .with(new UserModels.Entry("zoo-8", "zoo-8.safetensors", "b", 1.6));
        QualityLadder l = QualityLadder.of(List.of(shipped("low", 0.13), shipped("medium", 0.19)), UserModels.read(tmp));
        assertEquals(List.of("low", "zoo-1", "medium", "zoo-8", "odd"), l.levels().stream().map(QualityLadder.Level::name).toList());
        for (int i = 0; i < l.size(); i++) assertEquals(i + 1, l.levels().get(i).number());
        assertTrue(l.level(1).shipped());
        assertNull(l.level(1).userFile());
        assertEquals(tmp.resolve("zoo-1.safetensors"), l.level(2).file());
        assertEquals(3, user.entries().size());
        assertEquals("2 (zoo-1)", l.level(2).label());
        assertEquals(4, l.byName("zoo-8").orElseThrow().number());
        assertTrue(l.byName("nope").isEmpty());
    }

    @Test
    void anAddedModelCannotShadowAShippedName() throws IOException {
        UserModels.read(tmp).with(new UserModels.Entry("low", "low.safetensors", "", 0.01));
        QualityLadder l = QualityLadder.of(List.of(shipped("low", 0.13)), UserModels.read(tmp));
        assertEquals(1, l.size());
        assertTrue(l.level(1).shipped());
    }

    @Test
    void anUnknownLevelNamesTheLevelsThereAre() {
        QualityLadder l = QualityLadder.of(List.of(shipped("low", 0.13), shipped("medium", 0.19)), UserModels.none(tmp));
        for (int bad : new int[] {0, 3, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.level(bad));
            assertTrue(e.getMessage().contains("no quality level " + bad) && e.getMessage().contains("1..2")
                    && e.getMessage().contains("1 low, 2 medium"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QualityLadder.of(List.of(), UserModels.none(tmp)).level(1));
        assertTrue(e.getMessage().contains("no quality levels"), e.getMessage());
    }

    @Test
    void theUserIndexRoundTripsAndReplacesByName() throws IOException {
        assertTrue(UserModels.read(tmp.resolve("missing")).entries().isEmpty());
        UserModels.read(tmp).with(new UserModels.Entry("a", "a.safetensors", "first", 0.5));
        UserModels.read(tmp).with(new UserModels.Entry("a", "a2.safetensors", "second", 0.25));
        UserModels u = UserModels.read(tmp);
        assertEquals(List.of(new UserModels.Entry("a", "a2.safetensors", "second", 0.25)), u.entries());
        assertEquals(tmp.resolve("a2.safetensors"), u.fileOf("a").orElseThrow());
        assertFalse(u.fileOf("b").isPresent());
    }

    @Test
    void aBrokenUserIndexIsOneLineNamingIt() throws IOException {
        Files.writeString(tmp.resolve("index.json"), "{\"models\": [1, 2");
        IOException e = assertThrows(IOException.class, () -> UserModels.read(tmp));
        assertTrue(e.getMessage().contains(tmp.resolve("index.json").toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        Files.writeString(tmp.resolve("index.json"), "{\"models\": [{\"file\": \"x.safetensors\"}]}");
        e = assertThrows(IOException.class, () -> UserModels.read(tmp));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    /**
     * The shipped index's rates are what they claim: each model's file size for the reference photo, as {@code sodec
     * models add} measures added models, so shipped and added models share one scale.
     */
    @Test
    void shippedRatesAreMeasuredOnTheReferencePhoto() throws IOException {
        double previous = 0;
        for (BundledModels.Model m : BundledModels.ladder()) {
            assertFalse(Double.isNaN(m.bpp()), m.name() + " has no bpp in index.json");
            try (SodecCodec codec = SodecCodec.load(BundledModels.extract(m), CodecOptions.defaults().withThreads(1))) {
                double measured = ReferencePhoto.bitsPerPixel(codec::compress);
                assertEquals(measured, m.bpp(), 5e-5, m.name());
            }
            assertTrue(m.bpp() > previous, "index.json lists the shipped models by rate: " + m.name());
            previous = m.bpp();
        }
    }
}
