package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes in local paths are one line each, found before Spark starts (no session here). */
class PredictCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void missingImagesAndExistingOutAreUserErrorsBeforeSparkStarts() throws IOException {
        Path model = TinyModel.writeShape(tmp.resolve("m.safetensors"), 32, 32, 3);
        Path missing = tmp.resolve("no-such-folder");
        Run r = run("predict", "--model", model.toString(), "--images", missing.toString(), "--out",
                tmp.resolve("p.parquet").toString());
        assertEquals(2, r.code());
        assertEquals("error: --images " + missing + ": no such file or folder; pass a folder of images, an image file,"
                + " a glob such as 'photos/*/*.jpg' or a .parquet file\n", r.err());

        Path out = Files.createDirectories(tmp.resolve("taken.parquet"));
        r = run("predict", "--model", model.toString(), "--images", tmp.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertEquals("error: --out " + out + " already exists; pass --overwrite to replace it, or another --out\n",
                r.err());

        r = run("predict", "--model", tmp.resolve("none.safetensors").toString(), "--images", tmp.toString(),
                "--out", out.toString());
        assertEquals(2, r.code());
        assertEquals("error: --model " + tmp.resolve("none.safetensors") + ": no such file; pass a model file written"
                + " by 'fovea train', e.g. runs/tutorial/model.safetensors\n", r.err());
    }
}
