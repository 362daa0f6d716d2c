package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.run.RunFolder;
import dev.fovea.run.TrainSettings;
import dev.fovea.run.TrainingRun;
import dev.fovea.tensor.Shape;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The same option lists through {@code fovea train}'s command (fovea-cli's, on this module's
 * test class path only) and {@code fovea spark train}'s: the resolved settings and the run.json
 * each writes must be identical, apart from the command line each records and the keys only
 * Spark adds (workers, batch-norm mode). Both prepare their run as they do before training; no
 * Spark session starts.
 */
class TrainParityTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    /** Option lists, each run with --data (the shared sample) and --limit 64 added. */
    static final List<List<String>> TABLE = List.of(
            List.of(),
            List.of("--optimizer", "adamw"),
            List.of("--model", "fast-small", "--epochs", "1.5", "--batch-size", "16"),
            List.of("--epochs", "3", "--batch-size", "16", "--width-shift", "0.1", "--height-shift", "0.1",
                    "--horizontal-flip", "--validation", "0.2", "--tta", "flip"),
            List.of("--optimizer", "sgd", "--lr", "0.05", "--nesterov", "--momentum", "0.8", "--lr-schedule",
                    "warmup-linear", "--warmup", "0.3", "--loss-reduction", "sum", "--label-smoothing", "0.1",
                    "--lr-multiplier", "*/bias=2", "--normalize", "--drop-last", "--lookahead", "3", "--seed", "4"),
            List.of("--pad-crop", "2", "--pad-mode", "zero", "--cutout", "4", "--alternating-flip", "--fill-mode",
                    "reflect", "--validation", "none", "--weight-decay", "0.01", "--freeze", "conv2d/kernel",
                    "--freeze-after", "dense/bias=1", "--verbose", "0"));

    private List<String> args(List<String> options, Path out) {
        List<String> a = new ArrayList<>(List.of("train", "--data", TinyModel.SAMPLE.toString(), "--limit", "64"));
        a.addAll(options);
        a.addAll(List.of("--out", out.toString()));
        return a;
    }

    /** fovea train's parsing and preparation, as its command runs them. */
    private static TrainingRun cli(List<String> args) {
        CommandLine cl = new CommandLine(new dev.fovea.cli.Main());
        cl.parseArgs(args.toArray(String[]::new));
        TrainSettings.Options o = (TrainSettings.Options) cl.getSubcommands().get("train").getMixins().get("options");
        return TrainingRun.prepare(o, "fovea " + String.join(" ", args), 1, QUIET, m -> { });
    }

    /** fovea spark train's, as its command runs them before it starts Spark. */
    private static TrainingRun spark(List<String> args) {
        CommandLine cl = new CommandLine(new Main());
        cl.parseArgs(args.toArray(String[]::new));
        return ((TrainCommand) cl.getSubcommands().get("train").getCommand()).prepare(QUIET);
    }

    /** run.json as written, without the command lines (each names its front end). */
    private static JsonNode record(Path dir) throws Exception {
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree(dir.resolve(RunFolder.FILE).toFile());
        n.remove("commands");
        return n;
    }

    @Test
    void everyOptionListGivesTheSameSettingsAndRunJson() throws Exception {
        for (int i = 0; i < TABLE.size(); i++) {
            List<String> row = TABLE.get(i);
            TrainingRun a = cli(args(row, tmp.resolve("cli-" + i)));
            TrainingRun b = spark(args(row, tmp.resolve("spark-" + i)));
            assertEquals(a.settings(), b.settings(), "row " + i + " " + row);
            assertEquals(a.totalSteps(), b.totalSteps(), "row " + i);
            a.begin(Map.of(), m -> { });
            b.begin(Map.of(), m -> { });
            assertEquals(record(a.dir()), record(b.dir()), "run.json of row " + i + " " + row);
            assertEquals(a.commands().get(0).replaceFirst("^fovea ", "fovea spark ").replace("cli-" + i, "spark-" + i),
                    b.commands().get(0), "each records its own command line");
        }
    }

    /**
     * The defaults are fovea train's (Keras's tutorial): 50 epochs, batch 32, Adam at 0.001, no
     * augmentation, the test split as validation; Spark used to say 1 epoch and the tutorial's shifts.
     */
    @Test
    void theDefaultsAreFoveaTrains() throws Exception {
        TrainingRun b = spark(args(List.of(), tmp.resolve("defaults")));
        TrainSettings s = b.settings();
        assertEquals(50.0, s.epochs());
        assertEquals(32, s.batchSize());
        assertEquals("adam", s.optimizer());
        assertNull(s.lr());
        assertTrue(s.augmentationConfig().isNone(), s.augmentation().toString());
        assertEquals("test", b.validationChoice(), "the sample has a val split");
        assertEquals("none", s.tta());
    }

    /**
     * {@code --optimizer adamw} without {@code --weight-decay}: Keras's default 0.004 in both (it
     * was 0 in one). One step on a weight of 1 with a zero gradient leaves the decoupled decay
     * alone: w = 1 − lr·wd = 1 − 0.001 · 0.004.
     */
    @Test
    void adamwWithoutWeightDecayDecaysByKerasDefaultInBoth() {
        List<String> row = List.of("--optimizer", "adamw");
        for (TrainingRun run : List.of(cli(args(row, tmp.resolve("a"))), spark(args(row, tmp.resolve("b"))))) {
            Optimizer opt = run.settings().optimizer(10);
            Param w = new Param("w", Shape.of(1), true);
            w.value()[0] = 1f;
            opt.step(List.of(new ParamGroup(List.of(w))));
            assertEquals((float) (1 - 0.001 * 0.004), w.value()[0], 0f);
        }
    }

    /**
     * A run folder written by an earlier {@code fovea spark train} (its run.json said
     * {@code augment}, recorded adamw's default decay as 0 and had no data hash) resumes: its
     * settings read as they trained, and an option given now wins, as in fovea train.
     */
    @Test
    void anOldSparkRunJsonResumes() throws Exception {
        Path old = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(old.resolve(RunFolder.FILE), "{\"model\":\"tutorial-cnn\",\"data\":\"" + TinyModel.SAMPLE
                + "\",\"workers\":3,\"epochs\":1,\"batch_size\":16,\"seed\":7,\"optimizer\":\"adamw\",\"lr\":null,"
                + "\"momentum\":0.9,\"weight_decay\":0.0,\"loss_reduction\":\"mean\",\"augment\":\"tutorial\","
                + "\"normalize\":false,\"validation\":\"test\",\"limit\":64,\"batch_norm\":\"sync\","
                + "\"status\":\"running\",\"seconds\":null,\"ranks\":[]}");
        CommandLine cl = new CommandLine(new Main());
        cl.parseArgs("train", "--resume", old.toString(), "--epochs", "2");
        TrainCommand cmd = (TrainCommand) cl.getSubcommands().get("train").getCommand();
        TrainingRun run = cmd.prepare(QUIET);
        TrainSettings s = run.settings();
        assertEquals(2.0, s.epochs(), "given now");
        assertEquals(16, s.batchSize());
        assertEquals(7, s.seed());
        assertEquals(0.004, s.weightDecay(), "adamw's default, which the old run trained with");
        assertEquals(0.1, ((Number) s.augmentation().get("width_shift")).doubleValue(), 1e-9);
        assertEquals(0.1, ((Number) s.augmentation().get("height_shift")).doubleValue(), 1e-9);
        assertEquals(true, s.augmentation().get("horizontal_flip"));
        assertEquals(3, cmd.parallel.workers());
        assertEquals(ParallelSettings.SYNC, cmd.parallel.batchNorm());
        assertEquals(old, run.dir());
        assertNull(run.checkpoint(), "it stopped before its first checkpoint: the recorded run starts again");
    }

    /** Spark's own options are checked as fovea train checks its numbers, before anything is read. */
    @Test
    void sparksOwnOptionsAreChecked() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> spark(List.of("train", "--data", TinyModel.SAMPLE.toString(), "--workers", "0")));
        assertEquals("--workers 0: expected a whole number ≥ 1 (data-parallel replicas), received 0", e.getMessage());
        e = assertThrows(FoveaException.class, () -> spark(List.of("train", "--data", TinyModel.SAMPLE.toString(),
                "--workers", "4", "--batch-size", "2")));
        assertTrue(e.getMessage().startsWith("--batch-size 2 is smaller than --workers 4"), e.getMessage());
    }
}
