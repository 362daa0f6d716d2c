package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes in local paths are one line each, found before Spark starts (no session here: a
 * message that came after one would say "starting Spark" first).
 */
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

    /**
     * --images given CIFAR-10's binary records (a .bin, the .tar.gz, the extracted folder), an
     * empty folder or a glob matching nothing: each ran Spark for 10–25 s and wrote "0 rows".
     * Now one line says what was expected and received and which option reads CIFAR-10.
     */
    @Test
    void imagesWithoutAnyImageFileAreAnErrorNamingTheRightOptionBeforeSparkStarts() throws IOException {
        Path model = TinyModel.writeShape(tmp.resolve("m.safetensors"), 32, 32, 3);
        Path batches = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        for (String f : new String[] {"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin", "test_batch.bin"}) {
            Files.write(batches.resolve(f), new byte[3073]);
        }
        Path bin = batches.resolve("test_batch.bin");
        String expected = "; expected .jpg, .jpeg, .png, .bmp or .gif files, received ";
        String[][] cases = {
            {bin.toString(), "1 file of another kind (test_batch.bin); these are CIFAR-10 binary records: pass them"
                    + " as --cifar10 " + bin + " instead of --images"},
            {TinyModel.CIFAR.toString(), "1 file of another kind (cifar-10-binary.tar.gz); these are CIFAR-10 binary"
                    + " records: pass them as --cifar10 " + TinyModel.CIFAR + " instead of --images"},
            {batches.toString(), "4 files of another kind (batches.meta.txt, data_batch_1.bin, data_batch_2.bin, …);"
                    + " these are CIFAR-10 binary records: pass them as --cifar10 " + batches + " instead of --images"},
            {Files.createDirectories(tmp.resolve("empty")).toString(), "an empty folder; pass a folder of images,"
                    + " an image file, a glob such as 'photos/*/*.jpg' or a .parquet file"},
            {tmp.resolve("empty") + "/*.jpg", "nothing: no file or folder matches it; pass a folder of images, an"
                    + " image file, a glob such as 'photos/*/*.jpg' or a .parquet file"},
        };
        for (String[] c : cases) {
            Run r = run("predict", "--master", "local[2]", "--model", model.toString(), "--images", c[0], "--out",
                    tmp.resolve("p.parquet").toString());
            assertEquals(2, r.code(), c[0] + ": " + r.out() + r.err());
            assertEquals("error: --images " + c[0] + ": no image files to classify" + expected + c[1] + "\n", r.err());
            assertEquals("", r.out());
            assertFalse(Files.exists(tmp.resolve("p.parquet")));
        }
    }

    /** As in the fovea command (issue 20, defect 2): one error line in our words and the help command. */
    @Test
    void aCommandLineThatDoesNotParseIsOneErrorLineAndTheSparkHelpCommand() {
        Run r = run("train", "--epochs", "abc");
        assertEquals(2, r.code(), r.err());
        assertEquals("error: --epochs abc: expected a number (total epochs of the run, may be fractional as 9.9),"
                + " received 'abc'\nfor the options of train, run: ./fovea spark train --help\n", r.err());
        Run unknown = run("predict", "--model", "m.safetensors", "--out", "p.parquet", "--modle", "m.safetensors");
        assertEquals(2, unknown.code());
        assertEquals("error: fovea spark predict has no option --modle; did you mean --model?\n"
                + "for the options of predict, run: ./fovea spark predict --help\n", unknown.err());
    }

    /** A Keras or ONNX file is not read on the executors: the error gives the import command that makes one. */
    @Test
    void aKerasOrOnnxModelIsOneErrorGivingTheImportCommand() throws IOException {
        Path h5 = Files.write(tmp.resolve("m.h5"), new byte[] {1, 2, 3});
        Run r = run("predict", "--model", h5.toString(), "--images", tmp.toString(), "--out",
                tmp.resolve("p.parquet").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("error: --model " + h5 + ": fovea spark predict takes a Fovea model file; import this one first,"
                + " saying how its pixels were scaled: ./fovea import " + h5 + " --rescale 1/255 --out m.safetensors"
                + " (or --normalize MEAN/STD), then pass that file\n", r.err());
        assertFalse(Files.exists(tmp.resolve("p.parquet")));
    }
}
