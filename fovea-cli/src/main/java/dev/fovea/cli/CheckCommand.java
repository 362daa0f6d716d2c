package dev.fovea.cli;

import dev.fovea.check.ReferenceCheck;
import dev.fovea.io.ReferenceCase;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea check --reference DIR}: the engine against PyTorch's reference cases. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks layers against PyTorch reference cases (*.safetensors).",
                "Runs every case in a folder (or one file) and compares outputs and gradients with",
                "|a-b| <= 1e-4 + 1e-3*|b|; prints one line per case, exits 1 if any fails or cannot be read."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "DIR|FILE",
            description = "A folder of reference cases, or one case file.")
    Path reference;

    @Option(names = "--verbose", description = "Also print every compared tensor.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> cases;
        if (Files.isDirectory(reference)) {
            cases = ReferenceCase.list(reference);
            if (cases.isEmpty()) {
                throw new UserError(reference + ": no *.safetensors reference cases in this folder");
            }
        } else if (Files.isRegularFile(reference)) {
            cases = List.of(reference);
        } else {
            throw new UserError(reference + ": no such file or folder; pass the folder of reference cases,"
                    + " e.g. --reference ../shared/reference/ops");
        }
        int width = cases.stream().mapToInt(p -> p.getFileName().toString().length()).max().orElse(10);
        int failed = 0;
        for (Path p : cases) {
            ReferenceCheck.Outcome o = ReferenceCheck.run(p);
            String status = o.passed() ? "PASS" : "FAIL";
            // The op goes last, and only when the file name does not already say it (000_conv2d…):
            // a column of its own made each line 95 characters wide.
            String name = p.getFileName().toString();
            Console.out(out, String.format(Locale.ROOT, "%-" + width + "s  worst %-8s  %s%s", name,
                    Double.isNaN(o.worstError()) ? "NaN" : String.format(Locale.ROOT, "%.2e", o.worstError()), status,
                    name.contains(o.op()) ? "" : "  (" + o.op() + ")"));
            if (o.error() != null) {
                Console.out(out, "    error: " + o.error());
            }
            for (String f : o.failures()) {
                Console.out(out, "    " + f);
            }
            if (verbose) {
                o.results().forEach((k, r) -> Console.out(out, "    " + k + ": " + r.describe()));
            }
            if (!o.passed()) {
                failed++;
            }
        }
        out.printf(Locale.ROOT, "%d passed, %d failed%n", cases.size() - failed, failed);
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
