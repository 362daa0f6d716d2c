package dev.fovea.cli;

import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.nn.Summary;
import dev.fovea.report.HtmlReport;
import dev.fovea.run.Check;
import dev.fovea.run.OutputFolder;
import dev.fovea.run.TrainingRun;
import dev.fovea.tensor.Shape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea evaluate --model FILE --data PATH}: a trained model's loss, accuracy, per-class
 * table and confusion matrix on labelled data, with the model file's own preprocessing;
 * {@code --report DIR} adds the evaluation part of the HTML report and its plots. Data whose
 * class names are a subset of the model's is relabelled by name, so a folder holding only some
 * classes is scored against the right outputs. Not a training command: weights are never changed.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluates a trained model on labelled data.",
                "Prints loss, accuracy, the per-class precision/recall/F1 table and the confusion matrix;",
                "--report DIR also writes an HTML report."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model file (.safetensors) written by 'fovea train'. Also one written by 'fovea import',"
                    + " or a Keras .keras or .h5 file with --rescale or --normalize.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "cifar10, a CIFAR-10 .tar.gz, a cifar-10-batches-bin folder, a single .bin batch"
                    + " (all its records), or an image folder/.zip (resized to the model's input).")
    String data;

    @Option(names = "--split", paramLabel = "test|train",
            description = "Which split to evaluate. Default: the held-out split (test/validation) when"
                    + " the data has one, else all of it.")
    String split;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
            description = "Images per forward pass (memory, not results). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--limit", paramLabel = "N",
            description = "Evaluate at most N images, drawn at random with --seed (as 'fovea train --limit' draws them).")
    Integer limit;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the --limit draw. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--tta", paramLabel = "LEVEL", defaultValue = "none", description = Evaluation.TTA_HELP)
    String tta;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write DIR/report.html (self-contained) and the plots in DIR/plots.")
    Path report;

    @Option(names = "--strict", description = "Stop at the first unreadable image in an image folder"
            + " instead of skipping it with a warning.")
    boolean strict;

    @Override
    public Integer call() {
        Check.positive("--batch-size", batchSize, "images per forward pass");
        Check.positive("--limit", limit, "images to evaluate; omit --limit to evaluate them all");
        TestTimeAugmentation.Level level = Evaluation.ttaLevel(tta);
        if (report != null) {
            OutputFolder.checkCanCreate(report, "--report");
        }
        long start = System.nanoTime();
        ModelFile.Loaded loaded = Models.load(model, preprocessing.get());
        Model m = loaded.model();
        ModelFile.Info info = loaded.info();
        Shape in = imageInput(m, model);
        int k = m.outputShape().dim(-1);
        Splits splits = DataSources.load(data, new ImageFolder.Options(in.dim(0), in.dim(1), strict),
                Console.lines(System.err, Console.errIsTerminal()));
        Dataset ds = pick(splits);
        if (ds.size() == 0) {
            throw new UserError("--data " + data + " holds no images to evaluate; pass a batch file with records"
                    + " or a folder with images");
        }
        String which = splits.test() == null ? "all " + String.format(Locale.US, "%,d", ds.size()) + " images"
                : (ds == splits.test() ? splits.testName() : "train") + " split";
        if (limit != null && limit < ds.size()) {
            ds = TrainCommand.limit(ds, limit, seed);
            which += String.format(Locale.US, ", %,d drawn at random with seed %d (--limit)", ds.size(), seed);
        }
        checkFits(in, ds, model, data);
        ds = alignClasses(ds, info.classNames(), k, model, data);
        Normalization norm = Normalization.fromMap(info.preprocessing(), in.dim(2));
        Evaluation ev = Evaluation.run(m, ds, norm, info.classNames(), batchSize, level);
        double seconds = (System.nanoTime() - start) / 1e9;

        PrintWriter out = spec.commandLine().getOut();
        Console.field(out, "model:    ", model);
        Console.field(out, "data:     ", data + " (" + which + ")");
        if (level != TestTimeAugmentation.Level.NONE) {
            Console.field(out, "tta:      ", ttaDescription(level));
        }
        out.print(ev.text());
        out.println();
        Console.field(out, "time:     ", String.format(Locale.US, "%.1f s (%,.0f images/s, including loading)",
                seconds, ds.size() / seconds));
        if (report != null) {
            OutputFolder.create(report, "--report");
            HtmlReport r = HtmlReport.evaluation("Evaluation of " + fileName(model) + " on " + fileName(data))
                    .keyFigures(Map.of("loss", String.format(Locale.ROOT, "%.4f", ev.loss)))
                    .provenance(provenance(info, which, ds.size(), seconds, level))
                    .modelSummary(Summary.of(m));
            ev.addTo(r, m, norm);
            Path html = r.write(report);
            List<Path> plots = r.writePlots(report.resolve("plots"));
            Console.field(out, "report:   ", html + " (" + plots.size() + " plots in " + report.resolve("plots") + ")");
        }
        out.flush();
        return 0;
    }

    /** The model's input as (H,W,C), or an error for models that do not take images. */
    static Shape imageInput(Model m, String spec) {
        Shape in = m.inputShape();
        if (in.rank() != 3) {
            throw new UserError("--model " + spec + " takes inputs of shape " + in.toBatchString()
                    + ", not images (height, width, channels); pass an image classifier");
        }
        return in;
    }

    private Dataset pick(Splits s) {
        if (split == null) {
            return s.test() != null ? s.test() : s.train();
        }
        switch (split.toLowerCase(Locale.ROOT)) {
            case "train":
                return s.train();
            case "test", "val", "validation":
                if (s.test() == null) {
                    throw new UserError("--split " + split + ": " + data + " is a single set of "
                            + String.format(Locale.US, "%,d", s.train().size())
                            + " images without a held-out part; omit --split to evaluate all of them");
                }
                return s.test();
            default:
                throw new UserError("--split: expected test or train, received '" + split + "'");
        }
    }

    /** Fails, saying expected, received and what to do, when the images do not fit the model's input. */
    static void checkFits(Shape in, Dataset ds, String modelSpec, String dataSpec) {
        if (in.dim(0) == ds.height() && in.dim(1) == ds.width() && in.dim(2) == ds.channels()) {
            return;
        }
        String msg = "--model " + modelSpec + " expects images of " + in.dim(0) + "×" + in.dim(1) + "×" + in.dim(2)
                + " (height×width×channels) but --data " + dataSpec + " holds images of " + ds.height() + "×"
                + ds.width() + "×" + ds.channels();
        if (in.dim(2) != ds.channels()) {
            msg += "; Fovea reads CIFAR-10 and image files as " + ds.channels() + "-channel RGB, so evaluate a model"
                    + " trained on RGB images (e.g. one written by 'fovea train')";
        } else {
            msg += "; evaluate with data of the size the model was trained on, or pass an image folder,"
                    + " which is resized to " + in.dim(0) + "×" + in.dim(1) + " automatically";
        }
        throw new UserError(msg);
    }

    /**
     * The data with labels in the model's class order. Equal names pass as they are; names that
     * are a subset of the model's are relabelled by name; equal counts with other names are
     * compared by index with a warning; anything else cannot be scored and is an error.
     */
    static Dataset alignClasses(Dataset ds, List<String> modelNames, int k, String modelSpec, String dataSpec) {
        List<String> dataNames = ds.classNames();
        if (dataNames.size() > k) {
            throw new UserError("--data " + dataSpec + " has " + dataNames.size() + " classes " + dataNames
                    + " but --model " + modelSpec + " predicts " + k + (modelNames.size() == k ? " " + modelNames : "")
                    + "; evaluate with data of the classes the model was trained on");
        }
        if (modelNames.size() != k || modelNames.equals(dataNames)) {
            return ds;
        }
        if (modelNames.containsAll(dataNames)) {
            int[] to = new int[dataNames.size()];
            for (int c = 0; c < to.length; c++) {
                to[c] = modelNames.indexOf(dataNames.get(c));
            }
            int[] labels = new int[ds.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = to[ds.label(i)];
            }
            return new Dataset(ds.images(), labels, modelNames, ds.height(), ds.width(), ds.channels());
        }
        if (dataNames.size() == k) {
            Console.err("warning: the data's class names " + dataNames + " differ from the model's "
                    + modelNames + "; comparing labels by index");
            return ds;
        }
        List<String> unknown = new ArrayList<>(dataNames);
        unknown.removeAll(modelNames);
        throw new UserError("--data " + dataSpec + " has classes " + unknown + " that --model " + modelSpec
                + " does not predict (its classes: " + modelNames + "); evaluate with data of those classes");
    }

    /** How the CLI names a test-time augmentation level in its output and reports. */
    static String ttaDescription(TestTimeAugmentation.Level level) {
        int views = new TestTimeAugmentation(level).views();
        return level.cliName() + " (" + views + (views == 1 ? " forward pass" : " forward passes")
                + " per image, outputs averaged)";
    }

    private Map<String, String> provenance(ModelFile.Info info, String which, int images, double seconds,
                                           TestTimeAugmentation.Level level) {
        Map<String, String> p = new LinkedHashMap<>();
        // originalArgs holds the whole command line, the subcommand name included.
        p.put("command", "fovea " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        p.put("model file", model);
        p.put("data", data + " (" + (which.startsWith("all ") ? which
                : which + ", " + String.format(Locale.US, "%,d", images) + " images") + ")");
        p.put("test-time augmentation", ttaDescription(level));
        p.put("version", new Main.Version().getVersion()[0] + ", Java " + Runtime.version());
        p.put("duration", String.format(Locale.ROOT, "%.1f s", seconds));
        p.put("throughput", String.format(Locale.US, "%,.0f images/s (including loading)", images / seconds));
        // The training run's record in today's keys (older files' keys upgraded), as the run's report shows it.
        TrainingRun.reportRows(info.provenance()).forEach((key, v) -> p.put("training: " + key, v));
        return p;
    }

    private static String fileName(String spec) {
        Path f = Path.of(spec).getFileName();
        return f == null ? spec : f.toString();
    }
}
