package dev.fovea.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's arithmetic, table rows and command line; no benchmark runs here. */
class GflopsReportTest {
    @Test
    void gflopsIsFlopsOverSecondsPerOp() {
        // 226,492,416 FLOPs in 2 ms = 113.246208e9 FLOP/s
        assertEquals(113.246208, GflopsReport.gflops(226_492_416.0, 2.0), 1e-9);
    }

    @Test
    void rowShowsMillisecondsGflopsAndShareOfPeak() {
        String row = GflopsReport.row("tutorial1-b128", "32x32x3->32 3x3 same", "forward", "128", 2, "256/6x2", 2.0,
                226_492_416.0, 226.492416);
        assertTrue(row.matches("tutorial1-b128 +32x32x3->32 3x3 same +forward +128 +2 +256/6x2 +2\\.000 +113\\.2 +50\\.0%"),
                row);
    }

    @Test
    void defaultsRunEveryShapePassAndThreadCount() {
        GflopsReport.Settings s = GflopsReport.parse(new String[0]);
        assertEquals(ConvShapes.ALL, s.convs());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), s.gemms());
        assertEquals(List.of("forward", "backwardData", "backwardWeights"), s.passes());
        assertEquals(List.of(1, 2), s.threads());
        assertEquals(1, s.forks());
        assertEquals(List.of("native"), s.widths());
    }

    @Test
    void widthsRunInForksOnly() {
        assertEquals(List.of("512", "256"), GflopsReport.parse(new String[]{"--widths", "512,256"}).widths());
        assertEquals("--widths: expected native, 128, 256 or 512, received '384'", error("--widths", "384"));
        assertTrue(error("--widths", "256", "--forks", "0").contains("needs forks"));
    }

    @Test
    void shapesTakeGroupsAndNames() {
        GflopsReport.Settings s = GflopsReport.parse(new String[]{"--shapes", "wide,tutorial1-b32,gemm3",
            "--threads", "2", "--passes", "backwardData", "--warmup", "0", "--forks", "0"});
        assertEquals(List.of("wide-64to256-b128", "wide-256to256-b128", "tutorial1-b32"),
                s.convs().stream().map(ConvShape::name).toList());
        assertEquals(List.of(3), s.gemms());
        assertEquals(List.of(2), s.threads());
        assertEquals(List.of("backwardData"), s.passes());
        assertEquals(0, s.warmup());
        assertEquals(0, s.forks());
    }

    @Test
    void badOptionsSayWhatWasExpectedAndReceived() {
        assertEquals("--threads: expected counts from 1,2, received 4", error("--threads", "1,4"));
        assertEquals("--time: expected a whole number >= 1, received '0'", error("--time", "0"));
        assertEquals("--passes: expected names from forward,backwardData,backwardWeights, received 'fwd'",
                error("--passes", "fwd"));
        assertEquals("--iterations: expected a value after it, received none; see --help", error("--iterations"));
        assertEquals("--bogus: unknown option; see --help", error("--bogus", "1"));
        String shape = error("--shapes", "tutorial9");
        assertTrue(shape.startsWith("--shapes: unknown shape 'tutorial9'; expected a group (tutorial, wide, fast,"
                + " fast-small, gemm), gemm0 to gemm6, or a conv shape name (tutorial1-b128, "), shape);
    }

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> GflopsReport.parse(args)).getMessage();
    }
}
