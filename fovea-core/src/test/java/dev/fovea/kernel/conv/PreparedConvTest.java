package dev.fovea.kernel.conv;

import dev.fovea.kernel.BatchNorm;
import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.window.WindowGeometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * A prepared convolution gives exactly the bits of {@link Convolution#forward} followed by its
 * epilogue's scalar twin, on every route, for every epilogue, at 1 and 2 threads; the epilogue's
 * vector path equals its scalar twin; the epilogue's affine map equals BatchNorm.normalize.
 */
class PreparedConvTest {
    private record Case(Convolution.Route route, WindowGeometry g, int n, int c, int f) {
    }

    private static Case[] cases() {
        int wide = 60 * GemmKernels.VL + 3;
        return new Case[]{
            new Case(Convolution.Route.WINOGRAD, WindowGeometry.same(9, 7, 3, 3, 1, 1), 3, 20, 37),
            new Case(Convolution.Route.DIRECT, WindowGeometry.same(10, 9, 3, 3, 1, 1), 2, 3, 13),
            new Case(Convolution.Route.IMPLICIT_GEMM, WindowGeometry.same(11, 8, 3, 3, 2, 2), 3, 7, 41),
            new Case(Convolution.Route.POINTWISE, WindowGeometry.valid(6, 5, 1, 1, 1, 1), 4, 9, 19),
            new Case(Convolution.Route.IM2COL, WindowGeometry.valid(5, 6, 2, 2, 1, 1), 2, 3, wide),
        };
    }

    private static Epilogue[] epilogues(Rng r, int f) {
        float[] center = ConvolutionTest.random(r, f);
        float[] scale = ConvolutionTest.random(r, f);
        float[] shift = ConvolutionTest.random(r, f);
        return new Epilogue[]{Epilogue.NONE, new Epilogue(Epilogue.Act.RELU), new Epilogue(Epilogue.Act.GELU),
            new Epilogue(Epilogue.Act.RELU, center, scale, shift), new Epilogue(Epilogue.Act.NONE, center, scale, shift)};
    }

    @Test
    void everyRouteAndEpilogueEqualsTheUnpreparedPathBitForBit() {
        Rng r = new Rng(41);
        int before = Parallel.threads();
        try {
            for (Case t : cases()) {
                assertEquals(t.route, Convolution.forwardRoute(t.g, t.c, t.f), "the case's shape takes its route");
                float[] x = ConvolutionTest.random(r, t.n * t.g.h() * t.g.w() * t.c);
                float[] k = ConvolutionTest.random(r, t.g.kh() * t.g.kw() * t.c * t.f);
                float[] bias = ConvolutionTest.random(r, t.f);
                int size = t.n * t.g.oh() * t.g.ow() * t.f;
                for (Epilogue ep : epilogues(r, t.f)) {
                    float[] want = new float[size];
                    Convolution.forward(x, k, bias, want, new float[Convolution.workspaceSize(t.g, t.n, t.c)], t.g, t.n, t.c,
                            t.f);
                    ep.applyScalar(want, 0, size, t.f);
                    PreparedConv p = new PreparedConv(k, bias, t.g, t.c, t.f, ep);
                    assertEquals(t.route, p.route());
                    for (int threads : new int[]{1, 2}) {
                        Parallel.setThreads(threads);
                        float[] got = new float[size];
                        java.util.Arrays.fill(got, Float.NaN);
                        p.forward(x, got, t.n);
                        assertArrayEquals(want, got, t.route + " " + ep + " at " + threads + " thread(s)");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void theEpiloguesVectorPathEqualsItsScalarTwinAndBatchNorm() {
        Rng r = new Rng(42);
        int f = 2 * GemmKernels.VL + 5;
        int pixels = 7;
        float[] y = ConvolutionTest.random(r, pixels * f);
        float[] mean = ConvolutionTest.random(r, f);
        float[] invStd = new float[f];
        float[] gamma = ConvolutionTest.random(r, f);
        float[] beta = ConvolutionTest.random(r, f);
        float[] k = new float[f];
        for (int ch = 0; ch < f; ch++) {
            invStd[ch] = 0.5f + r.nextFloat();
            k[ch] = invStd[ch] * gamma[ch];
        }
        for (Epilogue.Act act : Epilogue.Act.values()) {
            Epilogue ep = new Epilogue(act, mean, k, beta);
            float[] vector = y.clone();
            float[] scalar = y.clone();
            ep.apply(vector, 0, pixels * f, f);
            ep.applyScalar(scalar, 0, pixels * f, f);
            assertArrayEquals(scalar, vector, act.toString());
        }
        // With no activation the affine map is BatchNorm's inference normalization, bit for bit.
        float[] fused = y.clone();
        new Epilogue(Epilogue.Act.NONE, mean, k, beta).apply(fused, 0, pixels * f, f);
        float[] bn = new float[y.length];
        BatchNorm.normalize(y, mean, invStd, gamma, beta, bn, pixels, f);
        assertArrayEquals(bn, fused);
    }
}
