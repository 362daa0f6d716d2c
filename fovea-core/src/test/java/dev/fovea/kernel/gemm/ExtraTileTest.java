package dev.fovea.kernel.gemm;

import dev.fovea.kernel.gemm.generated.ConvKernels;
import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.gemm.generated.GemmKernelsStrided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.kernel.gemm.gen.MicroKernelGenerator;
import dev.fovea.kernel.gemm.gen.MicroKernelGenerator.Tile;
import dev.fovea.kernel.gemm.gen.MicroKernelGenerator.Variant;
import dev.fovea.tensor.Rng;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * A tile shape that is not in {@link MicroKernelGenerator#TILES} is generated into memory,
 * compiled with the JDK's compiler, loaded into this package and held to the definition of its
 * arithmetic: C[r, j] = fma chain over K in order from zero, written or added into C, bit for
 * bit, and within rounding of {@link Gemm#gemmScalar}. So a new tile is proven before anything
 * calls it. The listed tiles go through the same check, which also proves the check.
 */
class ExtraTileTest {
    private static final int VL = GemmKernels.VL;

    @Test
    void aTwelveByTwoTileOfEveryVariantMatchesTheDefinition() throws Exception {
        List<Tile> tiles = List.of(new Tile(Variant.PACKED, 12, 2), new Tile(Variant.STRIDED, 12, 2),
                new Tile(Variant.WINDOW, 12, 2));
        Class<?> kernels = compileAndLoad("ExtraTiles12x2",
                MicroKernelGenerator.source("dev.fovea.kernel.gemm", "ExtraTiles12x2", "Test-only tiles.", false, tiles, false));
        Rng rng = new Rng(812);
        for (Tile t : tiles) {
            check(kernels, t, rng);
        }
    }

    @Test
    void theListedTilesMatchTheDefinition() throws Exception {
        Rng rng = new Rng(813);
        for (Tile t : MicroKernelGenerator.TILES) {
            Class<?> kernels = switch (t.variant()) {
                case PACKED -> GemmKernels.class;
                case STRIDED -> GemmKernelsStrided.class;
                case WINDOW -> ConvKernels.class;
            };
            check(kernels, t, rng);
        }
    }

    /** Full and edge tiles (fewer valid rows or columns), written (first) and accumulated, over odd K. */
    private static void check(Class<?> kernels, Tile t, Rng rng) throws Exception {
        Method m = null;
        for (Method candidate : kernels.getDeclaredMethods()) {
            if (candidate.getName().equals(t.method())) {
                m = candidate;
            }
        }
        assertNotNull(m, kernels.getSimpleName() + " has no " + t.method());
        m.setAccessible(true);
        int width = t.vectors() * VL;
        for (int[] shape : new int[][]{{t.rows(), width}, {t.rows() - 3, width - 5}, {1, 1}}) {
            for (boolean first : new boolean[]{true, false}) {
                checkOnce(m, t, rng, Math.max(1, shape[0]), Math.max(1, shape[1]), first);
            }
        }
    }

    private static void checkOnce(Method m, Tile t, Rng rng, int rows, int cols, boolean first) throws Exception {
        int tr = t.rows();
        int width = t.vectors() * VL;
        // K: odd for packed/strided; for windows 3 kernel rows of 5 floats, 9 apart, pixels 4 apart.
        int segs = 3;
        int segLen = 5;
        int segStride = 9;
        int ars = t.variant() == Variant.WINDOW ? 4 : 37 + 2;
        int k = t.variant() == Variant.WINDOW ? segs * segLen : 37;
        int aps = 1;
        int aOff = 3;
        float[] a = random(rng, aOff + tr * ars + segs * segStride + k * tr);
        float[][] av = new float[tr][k];
        for (int r = 0; r < tr; r++) {
            for (int p = 0; p < k; p++) {
                av[r][p] = a[switch (t.variant()) {
                    case PACKED -> aOff + p * tr + r;
                    case STRIDED -> aOff + p * aps + r * ars;
                    case WINDOW -> aOff + r * ars + p / segLen * segStride + p % segLen;
                }];
            }
        }
        int bOff = 5;
        float[] b = random(rng, bOff + k * width);
        int ldc = width + 3;
        int cOff = 2;
        float[] c0 = random(rng, cOff + tr * ldc + 4);
        float[] c = c0.clone();
        float[] tile = new float[tr * width];
        Object[] args = switch (t.variant()) {
            case PACKED -> new Object[]{a, aOff, b, bOff, k, c, cOff, ldc, rows, cols, first, tile};
            case STRIDED -> new Object[]{a, aOff, aps, ars, b, bOff, k, c, cOff, ldc, rows, cols, first, tile};
            case WINDOW -> new Object[]{a, aOff, segs, segStride, segLen, ars, b, bOff, c, cOff, ldc, rows, cols,
                first, tile};
        };
        m.invoke(null, args);

        float[] aRows = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(av[r], 0, aRows, r * k, k);
        }
        float[] scalar = c0.clone();
        Gemm.gemmScalar(aRows, 0, k, false, b, bOff, width, false, scalar, cOff, ldc, rows, cols, k, !first);
        String what = t + " rows=" + rows + " cols=" + cols + " first=" + first;
        for (int i = 0; i < c.length; i++) {
            int r = (i - cOff) / ldc;
            int j = (i - cOff) % ldc;
            if (i < cOff || r >= rows || j >= cols) {
                assertEquals(c0[i], c[i], what + ": wrote outside the valid tile at " + i);
                continue;
            }
            float s = 0f;
            for (int p = 0; p < k; p++) {
                s = Math.fma(av[r][p], b[bOff + p * width + j], s);
            }
            float expected = first ? s : c0[i] + s;
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(c[i]),
                    what + ": C(" + r + "," + j + ") expected " + expected + ", got " + c[i]);
            assertEquals(scalar[i], c[i], 1e-5f * k * (1 + Math.abs(scalar[i])),
                    what + ": C(" + r + "," + j + ") against gemmScalar");
        }
    }

    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextFloat() * 2f - 1f;
        }
        return a;
    }

    /**
     * Compiles one class of this package from source held in memory against the main classes,
     * and defines it in this package (the extra tiles then need nothing but the generated kernels'
     * public {@code GemmKernels.S}, {@code VL} and {@link TileStore}).
     */
    private static Class<?> compileAndLoad(String name, String source) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no Java compiler in this runtime: run the tests on a JDK, not a JRE");
        Path out = Files.createTempDirectory("fovea-extra-tile");
        try {
            String mainClasses = Path.of(GemmKernels.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///dev/fovea/kernel/gemm/" + name + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            StringWriter log = new StringWriter();
            boolean ok = javac.getTask(log, null, null,
                    List.of("--add-modules", "jdk.incubator.vector", "-classpath", mainClasses, "-d", out.toString()),
                    null, List.of(file)).call();
            assertTrue(ok, "generated " + name + " does not compile:\n" + log + "\n" + source);
            byte[] bytes = Files.readAllBytes(out.resolve("dev/fovea/kernel/gemm/" + name + ".class"));
            return MethodHandles.lookup().defineClass(bytes);
        } finally {
            deleteTree(out);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
