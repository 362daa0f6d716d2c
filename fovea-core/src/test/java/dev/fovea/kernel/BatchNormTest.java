package dev.fovea.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

class BatchNormTest {
    private static final int[] CHANNELS = {1, 3, 17, 64};
    private static final int[] ROWS = {1, 5, 127, 128, 129, 300};

    @Test
    void vectorEqualsScalar() {
        Rng rng = new Rng(3);
        for (int c : CHANNELS) {
            for (int m : ROWS) {
                Case v = Case.random(rng, m, c);
                Case s = v.copy();
                v.run(false);
                s.run(true);
                String at = "m=" + m + " c=" + c;
                assertArrayEquals(s.mean, v.mean, at);
                assertArrayEquals(s.var, v.var, at);
                assertArrayEquals(s.y, v.y, at);
                assertArrayEquals(s.dx, v.dx, at);
                assertArrayEquals(s.dgamma, v.dgamma, at);
                assertArrayEquals(s.dbeta, v.dbeta, at);
            }
        }
    }

    @Test
    void matchesADoublePrecisionReference() {
        Rng rng = new Rng(4);
        for (int m : new int[]{1, 7, 300}) {
            int c = 17;
            Case k = Case.random(rng, m, c);
            float[] dgamma0 = k.dgamma.clone();
            float[] dbeta0 = k.dbeta.clone();
            k.run(false);
            for (int ch = 0; ch < c; ch++) {
                double mu = 0;
                for (int r = 0; r < m; r++) {
                    mu += k.x[r * c + ch];
                }
                mu /= m;
                double v = 0;
                for (int r = 0; r < m; r++) {
                    v += (k.x[r * c + ch] - mu) * (k.x[r * c + ch] - mu);
                }
                v /= m;
                double inv = 1 / Math.sqrt(v + 1e-3);
                double sdy = 0;
                double sdyx = 0;
                for (int r = 0; r < m; r++) {
                    int i = r * c + ch;
                    double xhat = (k.x[i] - mu) * inv;
                    assertEquals(k.gamma[ch] * xhat + k.beta[ch], k.y[i], 1e-4);
                    sdy += k.dy[i];
                    sdyx += k.dy[i] * xhat;
                }
                assertEquals(mu, k.mean[ch], Math.ulp(k.mean[ch]));
                assertEquals(v, k.var[ch], 1e-6 + 1e-5 * v);
                // Backward accumulates into dγ, dβ on top of what was there.
                assertEquals(dbeta0[ch] + sdy, k.dbeta[ch], 1e-4);
                assertEquals(dgamma0[ch] + sdyx, k.dgamma[ch], 1e-4);
                for (int r = 0; r < m; r++) {
                    int i = r * c + ch;
                    double xhat = (k.x[i] - mu) * inv;
                    double want = k.gamma[ch] * inv * (k.dy[i] - sdy / m - xhat * sdyx / m);
                    assertEquals(want, k.dx[i], 1e-4 + 1e-4 * Math.abs(want));
                }
            }
        }
    }

    @Test
    void movingStatisticsFollowKerasRule() {
        float[] mean = {1f, -2f};
        float[] var = {4f, 0.5f};
        float[] mm = {0f, 1f};
        float[] mv = {1f, 2f};
        BatchNorm.updateMoving(mean, var, mm, mv, 2, 0.9f);
        assertEquals(0.1f, mm[0], 1e-6);
        assertEquals(0.9f - 0.2f, mm[1], 1e-6);
        assertEquals(0.9f + 0.4f, mv[0], 1e-6);
        assertEquals(1.8f + 0.05f, mv[1], 1e-6);
        float[] inv = new float[1];
        BatchNorm.invStd(new float[]{0.999f}, inv, 1, 1e-3f);
        assertEquals(1f, inv[0], 1e-6);
    }

    @Test
    void resultsAreBitIdenticalAtOneAndTwoThreads() {
        Case base = Case.random(new Rng(5), 1000, 19);
        int prev = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Case one = base.copy();
            one.run(false);
            Parallel.setThreads(2);
            Case two = base.copy();
            two.run(false);
            assertArrayEquals(one.mean, two.mean);
            assertArrayEquals(one.var, two.var);
            assertArrayEquals(one.y, two.y);
            assertArrayEquals(one.dx, two.dx);
            assertArrayEquals(one.dgamma, two.dgamma);
            assertArrayEquals(one.dbeta, two.dbeta);
        } finally {
            Parallel.setThreads(prev);
        }
    }

    /** One forward + backward problem; {@link #run} fills the outputs. */
    private static final class Case {
        final int m;
        final int c;
        float[] x;
        float[] dy;
        float[] gamma;
        float[] beta;
        float[] mean;
        float[] var;
        float[] invStd;
        float[] y;
        float[] dx;
        float[] dgamma;
        float[] dbeta;
        double[] partials;
        float[] factors;

        Case(int m, int c) {
            this.m = m;
            this.c = c;
        }

        static Case random(Rng rng, int m, int c) {
            Case k = new Case(m, c);
            k.x = new float[m * c];
            k.dy = new float[m * c];
            for (int i = 0; i < m * c; i++) {
                // An offset per channel so the two-pass variance matters; float32 resolution at
                // |x| near 50 is about 4e-6, hence the 1e-4 tolerances on y and dx.
                k.x[i] = 3f * (i % c) + rng.nextFloat() * 2f - 1f;
                k.dy[i] = rng.nextFloat() * 2f - 1f;
            }
            k.gamma = new float[c];
            k.beta = new float[c];
            k.dgamma = new float[c];
            k.dbeta = new float[c];
            for (int ch = 0; ch < c; ch++) {
                k.gamma[ch] = 0.5f + rng.nextFloat();
                k.beta[ch] = rng.nextFloat() - 0.5f;
                k.dgamma[ch] = rng.nextFloat();
                k.dbeta[ch] = rng.nextFloat();
            }
            return k;
        }

        Case copy() {
            Case k = new Case(m, c);
            k.x = x.clone();
            k.dy = dy.clone();
            k.gamma = gamma.clone();
            k.beta = beta.clone();
            k.dgamma = dgamma.clone();
            k.dbeta = dbeta.clone();
            return k;
        }

        void run(boolean scalar) {
            mean = new float[c];
            var = new float[c];
            invStd = new float[c];
            y = new float[m * c];
            dx = new float[m * c];
            partials = new double[BatchNorm.partialsSize(m, c)];
            factors = new float[3 * c];
            if (scalar) {
                BatchNorm.momentsScalar(x, mean, var, partials, m, c);
                BatchNorm.invStd(var, invStd, c, 1e-3f);
                BatchNorm.normalizeScalar(x, mean, invStd, gamma, beta, y, m, c);
                BatchNorm.backwardScalar(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, partials, factors, m, c);
            } else {
                BatchNorm.moments(x, mean, var, partials, m, c);
                BatchNorm.invStd(var, invStd, c, 1e-3f);
                BatchNorm.normalize(x, mean, invStd, gamma, beta, y, m, c);
                BatchNorm.backward(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, partials, factors, m, c);
            }
        }
    }
}
