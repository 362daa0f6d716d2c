package dev.fovea.cli;

import dev.fovea.io.AtomicFiles;
import dev.fovea.report.Charts;
import dev.fovea.run.TrainSettings;
import dev.fovea.run.TrainingRun;
import dev.fovea.train.LearningRateFinder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea lr-find}: fastai's learning-rate range test on the run {@code fovea train} would
 * start with the same options (model, data, optimizer, augmentation, recipe): up to
 * {@code --steps} batches at a rate rising geometrically from {@code --start-lr} to
 * {@code --end-lr}, stopped when the smoothed loss diverges; prints the suggested rate and the
 * {@code fovea train} command that uses it, and writes the loss-against-rate plot (PNG) and its
 * points (CSV). Writes no run folder and no model: the weights are put back after the test.
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Finds a learning rate: trains a few batches at a rising rate (fastai's range test) and"
                + " prints the suggested rate; writes the loss-against-rate plot. Takes fovea train's options.",
                "'fovea train --lr auto' runs the same test before training."})
final class LrFindCommand implements Callable<Integer> {
    /** This command's own options, left out of the {@code fovea train} command it prints. */
    private static final Set<String> OWN = Set.of("--steps", "--start-lr", "--end-lr", "--plot");

    @Spec
    CommandSpec spec;

    @Mixin
    TrainSettings.Options options;

    @Option(names = "--steps", paramLabel = "N", description = "Most batches to train (default: 100).")
    int steps = 100;

    @Option(names = "--start-lr", paramLabel = "RATE", description = "Rate of the first batch (default: 1e-7).")
    double startLr = 1e-7;

    @Option(names = "--end-lr", paramLabel = "RATE", description = "Rate of the last batch (default: 10).")
    double endLr = 10;

    @Option(names = "--plot", paramLabel = "FILE", description = "Plot to write, PNG; its points go beside it as"
            + " .csv (default: lr-find.png).")
    Path plot = Path.of("lr-find.png");

    @Override
    public Integer call() {
        for (String runFolder : List.of("--out", "--resume", "--overwrite", "--no-report")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(runFolder)) {
                throw new UserError(runFolder + ": lr-find writes no run folder (that is fovea train's option);"
                        + " pass --plot FILE for where the plot goes");
            }
        }
        if (TrainSettings.AUTO.equalsIgnoreCase(options.lr())) {
            throw new UserError("--lr auto: lr-find is the search itself; omit --lr (it sets no rate of its own)");
        }
        if (steps < 2) {
            throw new UserError("--steps " + steps + ": expected at least 2 batches (100 is typical)");
        }
        LearningRateFinder.Options o = LearningRateFinder.Options.defaults().withSteps(steps).withRange(startLr, endLr);
        Path csv = csvBeside(plot);
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        // The original arguments start with the command's own name: "lr-find --data ...".
        List<String> args = all.subList(Math.min(all.indexOf(spec.name()) + 1, all.size()), all.size());
        TrainingRun run = TrainingRun.prepare(options, "fovea " + String.join(" ", all), 1,
                Console.lines(System.err, Console.errIsTerminal()), Console::err);
        Console.err(String.format(Locale.ROOT, "lr-find: %s on %,d images, batch %d, %s, up to %d steps from %.3g to"
                        + " %.3g", run.settings().model(), run.train().size(), run.settings().batchSize(),
                run.settings().optimizer(), steps, startLr, endLr));
        LearningRateFinder.Result r = run.findLearningRate(o);
        try {
            AtomicFiles.write(plot, out -> out.write(Charts.learningRateFinder(r)));
            AtomicFiles.write(csv, out -> out.write(r.toCsv().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot write the plot " + plot + " (" + e.getMessage() + "); pass --plot with a"
                    + " writable path");
        }
        Console.err(TrainingRun.describe(r));
        Console.err("plot written to " + plot + ", its points to " + csv);
        PrintWriter out = spec.commandLine().getOut();
        out.println(String.format(Locale.ROOT, "suggested learning rate: %.3g", r.suggestion()));
        out.flush();
        Console.err("train with it:");
        Console.command("./fovea train " + trainArgs(args) + String.format(Locale.ROOT, "--lr %.3g", r.suggestion()));
        return 0;
    }

    /** The command line without lr-find's own options (and their values), with a trailing space when not empty. */
    static String trainArgs(List<String> args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (OWN.contains(name) || name.equals("--lr")) {
                if (!a.contains("=")) {
                    i++;
                }
                continue;
            }
            kept.add(a.contains(" ") ? "'" + a + "'" : a);
        }
        return kept.isEmpty() ? "" : String.join(" ", kept) + " ";
    }

    /** {@code lr-find.png} → {@code lr-find.csv}. */
    static Path csvBeside(Path plot) {
        String name = plot.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return plot.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".csv");
    }
}
