package dev.fovea.bench;

import dev.fovea.tensor.FmaPeak;
import dev.fovea.kernel.Vectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link ConvBench} and {@link GemmBench} through JMH's Runner API and prints one table:
 * shape, pass, batch, threads, ms/op, GFLOPS and the share of the machine's float32 FMA peak
 * ({@link FmaPeak}, measured in the same run, before the benchmarks and again after, at each
 * thread count). GFLOPS = FLOPs per op / seconds per op / 1e9, with 2·N·OH·OW·KH·KW·C·F FLOPs for
 * every convolution pass ({@link ConvShape#flops()}) and 2·m·n·k for GEMM. Each shape is one
 * Runner call, so rows print as they are measured. Short warm-up and measurement by default; the
 * figures are only worth quoting from a machine with nothing else running.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp fovea-bench/target/fovea-benchmarks.jar
 * dev.fovea.bench.GflopsReport [options]} ({@code --help} lists them).
 */
public final class GflopsReport {
    static final List<String> PASSES = List.of("forward", "backwardData", "backwardWeights");
    static final List<String> GROUPS = List.of("tutorial", "wide", "fast", "fast-small", "gemm");

    private static final String USAGE = """
            usage: GflopsReport [--warmup N] [--iterations N] [--time MS] [--forks N] [--threads 1,2]
                                [--shapes LIST] [--passes LIST] [--widths LIST] [--peak-ms MS] [--verbose]
              --warmup N      JMH warm-up iterations per trial (default 2)
              --iterations N  JMH measurement iterations per trial (default 3)
              --time MS       length of each iteration in milliseconds (default 500)
              --forks N       JVM forks per trial (default 1; 0 runs in this JVM, for a quick look)
              --threads LIST  thread counts, from 1,2 (default 1,2)
              --shapes LIST   groups (tutorial, wide, fast, gemm) or shape names (default all)
              --passes LIST   from forward,backwardData,backwardWeights (default all three)
              --widths LIST   vector widths in bits, each run in forks with -Dfovea.vector.bits (which also
                              picks the tile set: 8x3 for 512, 6x2 for 256), or "native" (default: native);
                              e.g. 512,256 measures an AVX-512 machine with both register files' kernels
              --peak-ms MS    length of the FMA peak measurement at each thread count (default 1000)
              --verbose       show JMH's own output here instead of in a log file
            conv shapes: %s""";

    /** What to run; {@link #parse} builds it from the command line. */
    record Settings(int warmup, int iterations, int millis, int forks, List<Integer> threads,
                    List<ConvShape> convs, List<Integer> gemms, List<String> passes, List<String> widths,
                    int peakMillis, boolean verbose) {
    }

    private GflopsReport() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.printf(USAGE + "%n", String.join(", ", ConvShapes.names()));
            return;
        }
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        // JMH's progress and the forks' own output would break up the table: they go to one log
        // per shape (a Runner rewrites its output file) in a folder of their own.
        Path logs = null;
        if (!s.verbose()) {
            try {
                logs = Files.createTempDirectory("fovea-jmh-");
            } catch (IOException e) {
                System.err.println("error: cannot create a folder for JMH's logs in "
                        + System.getProperty("java.io.tmpdir") + " (" + e + "); free space there, set"
                        + " -Djava.io.tmpdir, or pass --verbose to log here");
                System.exit(1);
            }
            System.out.println("JMH's logs: " + logs);
        }
        try {
            report(s, logs);
        } catch (RunnerException e) {
            System.err.println("error: a benchmark failed (" + e.getMessage() + "); "
                    + (logs == null ? "JMH's output above says why" : "the last log in " + logs + " says why"));
            System.exit(1);
        }
    }

    private static void report(Settings s, Path logs) throws RunnerException {
        // A first, unrecorded measurement gets FmaPeak's loop compiled before the one that counts.
        FmaPeak.measure(1, s.peakMillis());
        Map<Integer, Double> peak = peaks(s);
        System.out.println("this machine's vectors: " + Vectors.S.vectorBitSize() + "-bit (" + Vectors.LANES
                + " floats); its own kernels use " + Vectors.tileSet() + " register tiles");
        System.out.println("FLOPs per op: 2*N*OH*OW*KH*KW*C*F for each conv pass, 2*m*n*k for gemm;"
                + " GFLOPS = FLOPs / (ms/op * 1e6); % peak against the FMA peak above, whatever the width");
        System.out.printf(Locale.ROOT, "JMH: %d warm-up + %d measured iterations of %d ms, %d fork(s) per trial%n",
                s.warmup(), s.iterations(), s.millis(), s.forks());
        System.out.println(header());
        for (String width : s.widths()) {
            String tiles = width.equals("native") ? Vectors.S.vectorBitSize() + "/" + Vectors.tileSet()
                    : width + "/" + (Integer.parseInt(width) >= 512 ? "8x3" : "6x2");
            for (ConvShape shape : s.convs()) {
                for (RunResult r : run(s, width, Pattern.quote(ConvBench.class.getName()) + "\\.("
                        + String.join("|", s.passes()) + ")$", shape.name(),
                        logs == null ? null : logs.resolve(shape.name() + "-" + width + ".log"))) {
                    String pass = pass(r);
                    int threads = Integer.parseInt(r.getParams().getParam("threads"));
                    System.out.println(row(shape.name(), shape.describe(), pass, Integer.toString(shape.n()), threads,
                            tiles, msPerOp(r), shape.flops(), peak.get(threads)));
                }
            }
            for (int i : s.gemms()) {
                Object[] g = GemmShapes.SHAPES[i];
                int m = (Integer) g[0];
                int n = (Integer) g[1];
                int k = (Integer) g[2];
                for (RunResult r : run(s, width, Pattern.quote(GemmBench.class.getName()) + "\\.gemm$",
                        Integer.toString(i), logs == null ? null : logs.resolve("gemm" + i + "-" + width + ".log"))) {
                    int threads = Integer.parseInt(r.getParams().getParam("threads"));
                    String mnk = m + "x" + n + "x" + k;
                    String geometry = mnk.equals(g[3]) ? mnk : mnk + " (" + g[3] + ")";
                    System.out.println(row("gemm" + i, geometry, "gemm", "-", threads, tiles,
                            msPerOp(r), 2.0 * m * n * k, peak.get(threads)));
                }
            }
        }
        for (int t : s.threads()) {
            double after = FmaPeak.measure(t, s.peakMillis()).gflops();
            System.out.printf(Locale.ROOT, "FMA peak at %d thread(s) after the run: %.1f GFLOPS (before: %.1f)%s%n", t,
                    after, peak.get(t), Math.abs(after / peak.get(t) - 1) > 0.1
                            ? "; more than 10% apart, so the machine's load changed: the % column used the first" : "");
        }
    }

    /** The FMA peak at each thread count, printed as it is measured. */
    private static Map<Integer, Double> peaks(Settings s) {
        Map<Integer, Double> peak = new LinkedHashMap<>();
        for (int t : s.threads()) {
            FmaPeak.Result p = FmaPeak.measure(t, s.peakMillis());
            peak.put(t, p.gflops());
            System.out.printf(Locale.ROOT, "FMA peak at %d thread(s): %.1f GFLOPS (%d-lane float vectors)%n", t,
                    p.gflops(), p.lanes());
        }
        return peak;
    }

    /** One Runner call: the benchmarks matching {@code include} at one value of their "shape" param. */
    private static Collection<RunResult> run(Settings s, String width, String include, String shape, Path log)
            throws RunnerException {
        String[] threads = s.threads().stream().map(String::valueOf).toArray(String[]::new);
        ChainedOptionsBuilder opt = new OptionsBuilder()
                .include(include)
                .param("shape", shape)
                .param("threads", threads)
                .warmupIterations(s.warmup())
                .warmupTime(TimeValue.milliseconds(s.millis()))
                .measurementIterations(s.iterations())
                .measurementTime(TimeValue.milliseconds(s.millis()))
                .forks(s.forks())
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL);
        if (!width.equals("native")) {
            opt.jvmArgsAppend("-Dfovea.vector.bits=" + width);
        }
        if (log != null) {
            opt.output(log.toString());
        }
        List<RunResult> results = new ArrayList<>(new Runner(opt.build()).run());
        // JMH returns a set; print passes in the order of PASSES, then by thread count.
        results.sort((a, b) -> a.getParams().getBenchmark().equals(b.getParams().getBenchmark())
                ? Integer.compare(Integer.parseInt(a.getParams().getParam("threads")),
                        Integer.parseInt(b.getParams().getParam("threads")))
                : Integer.compare(PASSES.indexOf(pass(a)), PASSES.indexOf(pass(b))));
        return results;
    }

    private static String pass(RunResult r) {
        String b = r.getParams().getBenchmark();
        return b.substring(b.lastIndexOf('.') + 1);
    }

    private static double msPerOp(RunResult r) {
        String unit = r.getPrimaryResult().getScoreUnit();
        if (!unit.equals("ms/op")) {
            throw new IllegalStateException("expected JMH scores in ms/op, received " + unit);
        }
        return r.getPrimaryResult().getScore();
    }

    /** GFLOPS of {@code flops} FLOPs done in {@code msPerOp} milliseconds. */
    static double gflops(double flops, double msPerOp) {
        return flops / (msPerOp * 1e6);
    }

    static String header() {
        return String.format(Locale.ROOT, "%-22s %-34s %-16s %5s %7s %-8s %10s %8s %7s", "shape", "geometry", "pass",
                "batch", "threads", "tiles", "ms/op", "GFLOPS", "% peak");
    }

    static String row(String name, String geometry, String pass, String batch, int threads, String tiles, double ms,
                      double flops, double peak) {
        double gf = gflops(flops, ms);
        return String.format(Locale.ROOT, "%-22s %-34s %-16s %5s %7d %-8s %10.3f %8.1f %6.1f%%", name, geometry, pass,
                batch, threads, tiles, ms, gf, 100 * gf / peak);
    }

    /**
     * The settings of a command line. IllegalArgumentException with a message naming the option,
     * what it expects and what it received.
     */
    static Settings parse(String[] args) {
        int warmup = 2;
        int iterations = 3;
        int millis = 500;
        int forks = 1;
        int peakMillis = 1000;
        boolean verbose = false;
        List<Integer> threads = List.of(1, 2);
        List<ConvShape> convs = ConvShapes.ALL;
        List<Integer> gemms = allGemms();
        List<String> passes = PASSES;
        List<String> widths = List.of("native");
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (opt.equals("--verbose")) {
                verbose = true;
                continue;
            }
            if (i + 1 >= args.length) {
                String why = isOption(opt) ? "expected a value after it, received none" : "unknown option";
                throw new IllegalArgumentException(opt + ": " + why + "; see --help");
            }
            String v = args[++i];
            switch (opt) {
                case "--warmup" -> warmup = number(opt, v, 0);
                case "--iterations" -> iterations = number(opt, v, 1);
                case "--time" -> millis = number(opt, v, 1);
                case "--forks" -> forks = number(opt, v, 0);
                case "--peak-ms" -> peakMillis = number(opt, v, 1);
                case "--threads" -> threads = threadList(v);
                case "--passes" -> passes = passList(v);
                case "--widths" -> widths = widthList(v);
                case "--shapes" -> {
                    convs = new ArrayList<>();
                    gemms = new ArrayList<>();
                    shapeList(v, convs, gemms);
                }
                default -> throw new IllegalArgumentException(opt + ": unknown option; see --help");
            }
        }
        if (forks == 0 && !widths.equals(List.of("native"))) {
            throw new IllegalArgumentException("--widths " + String.join(",", widths) + " needs forks (each width is a"
                    + " JVM started with -Dfovea.vector.bits), received --forks 0; pass --forks 1");
        }
        return new Settings(warmup, iterations, millis, forks, threads, convs, gemms, passes, widths, peakMillis,
                verbose);
    }

    private static boolean isOption(String opt) {
        return List.of("--warmup", "--iterations", "--time", "--forks", "--peak-ms", "--threads", "--passes",
                "--shapes", "--widths").contains(opt);
    }

    private static int number(String opt, String v, int min) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(opt + ": expected a whole number >= " + min + ", received '" + v + "'");
    }

    private static List<Integer> threadList(String v) {
        List<Integer> out = new ArrayList<>();
        for (String t : v.split(",")) {
            int n = number("--threads", t, 1);
            if (n > 2) {
                // ConvBench's and GemmBench's @Param lists hold 1 and 2, the cores of the machines this runs on.
                throw new IllegalArgumentException("--threads: expected counts from 1,2, received " + n);
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }

    private static List<String> passList(String v) {
        List<String> out = new ArrayList<>();
        for (String p : v.split(",")) {
            if (!PASSES.contains(p.trim())) {
                throw new IllegalArgumentException("--passes: expected names from " + String.join(",", PASSES)
                        + ", received '" + p + "'");
            }
            if (!out.contains(p.trim())) {
                out.add(p.trim());
            }
        }
        return List.copyOf(out);
    }

    private static List<String> widthList(String v) {
        List<String> out = new ArrayList<>();
        for (String w : v.split(",")) {
            String t = w.trim();
            if (!List.of("native", "128", "256", "512").contains(t)) {
                throw new IllegalArgumentException("--widths: expected native, 128, 256 or 512, received '" + w + "'");
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    private static void shapeList(String v, List<ConvShape> convs, List<Integer> gemms) {
        for (String item : v.split(",")) {
            String name = item.trim();
            if (name.equals("gemm")) {
                for (int i : allGemms()) {
                    if (!gemms.contains(i)) {
                        gemms.add(i);
                    }
                }
            } else if (name.matches("gemm[0-9]+") && Integer.parseInt(name.substring(4)) < GemmShapes.SHAPES.length) {
                int i = Integer.parseInt(name.substring(4));
                if (!gemms.contains(i)) {
                    gemms.add(i);
                }
            } else if (GROUPS.contains(name)) {
                ConvShapes.ALL.stream().filter(s -> s.group().equals(name) && !convs.contains(s)).forEach(convs::add);
            } else if (ConvShapes.names().contains(name)) {
                ConvShape s = ConvShapes.byName(name);
                if (!convs.contains(s)) {
                    convs.add(s);
                }
            } else {
                throw new IllegalArgumentException("--shapes: unknown shape '" + name + "'; expected a group ("
                        + String.join(", ", GROUPS) + "), gemm0 to gemm" + (GemmShapes.SHAPES.length - 1)
                        + ", or a conv shape name (" + String.join(", ", ConvShapes.names()) + ")");
            }
        }
    }

    private static List<Integer> allGemms() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < GemmShapes.SHAPES.length; i++) {
            all.add(i);
        }
        return List.copyOf(all);
    }
}
