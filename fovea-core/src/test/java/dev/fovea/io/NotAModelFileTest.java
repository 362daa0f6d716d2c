package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, defect 7: a file that is not a model (a README, an image, an archive) is reported as
 * that, first, with what to pass; not as the header length its first 8 bytes make
 * ("header length field says 747990572467626019 bytes but only 25284 bytes follow it").
 */
class NotAModelFileTest {
    @TempDir
    Path dir;

    private String refusal(String name, byte[] bytes) throws Exception {
        Path f = Files.write(dir.resolve(name), bytes);
        FoveaException e = assertThrows(FoveaException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().startsWith(f + " is not a Fovea model file: it is "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; pass a .safetensors model written by 'fovea train'"
                + " (RUN/model.safetensors) or by ModelFile.save"), e.getMessage());
        assertTrue(!e.getMessage().contains("header length"), e.getMessage());
        return e.getMessage().substring((f + " is not a Fovea model file: it is ").length(), e.getMessage().indexOf(';'));
    }

    @Test
    void aWrongFileIsNamedForWhatItIsAndTheMessageSaysWhatToPass() throws Exception {
        assertEquals("text (it begins '# Fovea')",
                refusal("README.md", "# Fovea\n\nTrain and use convolutional image classifiers in pure Java"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("an image", refusal("cat.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0}));
        assertEquals("an image", refusal("cat.jpg", new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16}));
        assertEquals("an HDF5 file", refusal("model.h5", new byte[]{(byte) 0x89, 'H', 'D', 'F', 13, 10, 26, 10, 0}));
        assertEquals("a zip archive", refusal("model.keras", new byte[]{'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}));
        assertEquals("a gzip archive", refusal("data.tar.gz", new byte[]{0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0}));
        assertEquals("empty", refusal("empty.safetensors", new byte[0]));
        assertEquals("not a format Fovea knows (10 bytes)", refusal("model.onnx", new byte[]{8, 7, 18, 7, 0, 1, 2, 3, 4, 5}));
    }

    /** A safetensors file from elsewhere (no Fovea metadata) says so in the same words. */
    @Test
    void aForeignSafetensorsFileIsNotAFoveaModelEither() {
        Path f = dir.resolve("foreign.safetensors");
        SafeTensors.writer().put("w", dev.fovea.tensor.Tensor.zeros(2)).write(f);
        FoveaException e = assertThrows(FoveaException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().startsWith(f + " is not a Fovea model file: it is a safetensors file without"
                + " Fovea's metadata"), e.getMessage());
    }
}
