package dev.sodec.codec.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * index.json's SHA-256 of every shipped model is the resource's own (so the index cannot drift from the models it
 * lists: finding a model by id and checking its cached copy trust it), and the cached copy is still checked.
 */
class BundledModelsIndexTest {
    @Test
    void everyListedHashIsTheResourcesSha256() throws Exception {
        assertFalse(BundledModels.ladder().isEmpty());
        for (BundledModels.Model m : BundledModels.ladder()) {
            assertNotNull(m.sha256(), m.name() + " has no sha256 in index.json");
            assertEquals(HexFormat.of().formatHex(resourceSha256(m.file())), m.sha256(), m.name() + " (" + m.file() + ")");
        }
    }

    @Test
    void everyListedCrcIsTheResourcesCrc32c() throws Exception {
        for (BundledModels.Model m : BundledModels.ladder()) {
            assertNotNull(m.crc32c(), m.name() + " has no crc32c in index.json");
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            try (InputStream in = BundledModelsIndexTest.class.getResourceAsStream("/dev/sodec/models/" + m.file())) {
                crc.update(in.readAllBytes());
            }
            assertEquals(String.format("%08x", crc.getValue()), m.crc32c(), m.name() + " (" + m.file() + ")");
        }
    }

    @Test
    void aDamagedCachedCopyIsReplacedByTheShippedBytes(@TempDir Path tmp) throws Exception {
        BundledModels.Model m = BundledModels.list().get(0);
        Path p = BundledModels.extractTo(m, tmp);
        byte[] good = Files.readAllBytes(p);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(p, bad);
        // a coarse file clock could give the rewrite the old time: make the change visible whatever the clock
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 2000));
        assertEquals(p, BundledModels.extractTo(m, tmp));
        assertArrayEquals(good, Files.readAllBytes(p));
        assertEquals(m.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(good)));
    }

    @Test
    void aResourceThatDoesNotMatchItsIndexHashIsRefused(@TempDir Path tmp) {
        BundledModels.Model real = BundledModels.list().get(0);
        BundledModels.Model wrong = new BundledModels.Model(real.name(), real.file(), "", real.bpp(), "00".repeat(32), real.crc32c());
        String msg = assertThrows(java.io.IOException.class, () -> BundledModels.extractTo(wrong, tmp)).getMessage();
        assertTrue(msg.contains("does not match its SHA-256 in index.json"), msg);
        assertTrue(msg.contains(real.file()), msg);
    }

    @Test
    void modelsAreNamedByTheFirstEightBytesOfTheirHash() throws Exception {
        for (BundledModels.Model m : BundledModels.ladder()) {
            byte[] id = java.util.Arrays.copyOf(resourceSha256(m.file()), 8);
            assertEquals(m.name(), BundledModels.nameOf(id).orElseThrow());
        }
    }

    private static byte[] resourceSha256(String file) throws Exception {
        try (InputStream in = BundledModelsIndexTest.class.getResourceAsStream("/dev/sodec/models/" + file)) {
            assertNotNull(in, file + " is listed but not a resource");
            return MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
        }
    }
}
