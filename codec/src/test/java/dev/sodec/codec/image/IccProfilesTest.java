package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** sRGB profiles are recognised by colorants and curves, not by name; other RGB profiles are kept. */
class IccProfilesTest {
    private static final Path CHELSEA = Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png");

    @Test
    void srgbProfilesAreRecognisedWhateverTheirName() throws Exception {
        assertTrue(IccProfiles.isSrgb(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData()), "Java's sRGB built-in");
        byte[] hp = MetadataReader.read(Files.readAllBytes(CHELSEA)).icc();
        assertNotNull(hp, "chelsea.png carries an iCCP chunk");
        assertEquals("sRGB IEC61966-2.1", IccProfiles.description(hp));
        assertTrue(IccProfiles.isSrgb(hp), "the common 3 KB HP/Microsoft sRGB profile");
    }

    @Test
    void otherProfilesAreNotSrgb() {
        byte[] linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        assertEquals("linear sRGB", IccProfiles.description(linear), "named sRGB, with sRGB's colorants");
        assertFalse(IccProfiles.isSrgb(linear), "but a linear tone curve");
        assertFalse(IccProfiles.isSrgb(ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData()));
        assertFalse(IccProfiles.isSrgb(ICC_Profile.getInstance(ColorSpace.CS_CIEXYZ).getData()));
        byte[] damaged = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        Arrays.fill(damaged, 128, damaged.length, (byte) 0x5A);
        assertFalse(IccProfiles.isSrgb(damaged));
        assertFalse(IccProfiles.isSrgb(new byte[10]));
        assertFalse(IccProfiles.isSrgb(null));
    }

    @Test
    void anSrgbProfileIsNotCarriedButTheImageIsReadAsItIs() throws Exception {
        SourceImage kept = ImageFiles.read(CHELSEA.toString(), 1L << 26, 0xFFFFFF, true);
        assertNull(kept.metadata().icc(), "an sRGB profile says nothing a decoder does not assume");
        SourceImage plain = ImageFiles.read(CHELSEA.toString(), 1L << 26, 0xFFFFFF, false);
        int w = plain.image().getWidth(), h = plain.image().getHeight();
        assertTrue(Arrays.equals(plain.image().getRGB(0, 0, w, h, null, 0, w), kept.image().getRGB(0, 0, w, h, null, 0, w)));
    }
}
