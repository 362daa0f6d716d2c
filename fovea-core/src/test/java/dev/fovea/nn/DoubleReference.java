package dev.fovea.nn;

/**
 * Float64 forward passes of every layer, written independently of the kernels (plain loops over
 * NHWC, straight from the definitions), for {@link DoubleGradCheck}. x is (N, ...) flattened;
 * parameters come in the layer's {@code params()} order. Test code only.
 */
final class DoubleReference {
    private DoubleReference() {
    }

    /** A layer's forward in double: y from x (batch n) and its parameters. */
    interface Forward {
        double[] apply(double[] x, int n, double[][] params);
    }

    static Forward conv2d(int h, int w, int c, int f, int kh, int kw, int sh, int sw, Padding pad,
                          ActivationFunction act, boolean bias) {
        int oh = pad.outSize(h, kh, sh);
        int ow = pad.outSize(w, kw, sw);
        int pt = pad.padBefore(h, kh, sh);
        int pl = pad.padBefore(w, kw, sw);
        return (x, n, p) -> {
            double[] y = new double[n * oh * ow * f];
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        for (int o = 0; o < f; o++) {
                            double s = bias ? p[1][o] : 0;
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * sh + ky - pt;
                                    int ix = ox * sw + kx - pl;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    for (int ci = 0; ci < c; ci++) {
                                        s += x[((b * h + iy) * w + ix) * c + ci] * p[0][((ky * kw + kx) * c + ci) * f + o];
                                    }
                                }
                            }
                            y[((b * oh + oy) * ow + ox) * f + o] = s;
                        }
                    }
                }
            }
            return activation(act, y, f);
        };
    }

    static Forward dense(int in, int units, ActivationFunction act, boolean bias) {
        return (x, n, p) -> {
            double[] y = new double[n * units];
            for (int b = 0; b < n; b++) {
                for (int u = 0; u < units; u++) {
                    double s = bias ? p[1][u] : 0;
                    for (int i = 0; i < in; i++) {
                        s += x[b * in + i] * p[0][i * units + u];
                    }
                    y[b * units + u] = s;
                }
            }
            return activation(act, y, units);
        };
    }

    /** Max or average pooling; average divides by the real (unpadded) elements, as Keras. */
    static Forward pool(boolean max, int h, int w, int c, int ph, int pw, int sh, int sw, Padding pad) {
        int oh = pad.outSize(h, ph, sh);
        int ow = pad.outSize(w, pw, sw);
        int pt = pad.padBefore(h, ph, sh);
        int pl = pad.padBefore(w, pw, sw);
        return (x, n, p) -> {
            double[] y = new double[n * oh * ow * c];
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        for (int ch = 0; ch < c; ch++) {
                            double acc = max ? Double.NEGATIVE_INFINITY : 0;
                            int count = 0;
                            for (int ky = 0; ky < ph; ky++) {
                                for (int kx = 0; kx < pw; kx++) {
                                    int iy = oy * sh + ky - pt;
                                    int ix = ox * sw + kx - pl;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    double v = x[((b * h + iy) * w + ix) * c + ch];
                                    acc = max ? Math.max(acc, v) : acc + v;
                                    count++;
                                }
                            }
                            y[((b * oh + oy) * ow + ox) * c + ch] = max ? acc : acc / count;
                        }
                    }
                }
            }
            return y;
        };
    }

    static Forward globalPool(boolean max, int h, int w, int c) {
        return pool(max, h, w, c, h, w, 1, 1, Padding.VALID);
    }

    /** Training-mode batch normalization over every axis but the last: batch mean, biased variance. */
    static Forward batchNorm(int c, double eps) {
        return (x, n, p) -> {
            int m = x.length / c;
            double[] y = new double[x.length];
            for (int ch = 0; ch < c; ch++) {
                double mean = 0;
                for (int i = 0; i < m; i++) {
                    mean += x[i * c + ch];
                }
                mean /= m;
                double var = 0;
                for (int i = 0; i < m; i++) {
                    double d = x[i * c + ch] - mean;
                    var += d * d;
                }
                var /= m;
                for (int i = 0; i < m; i++) {
                    y[i * c + ch] = p[0][ch] * (x[i * c + ch] - mean) / Math.sqrt(var + eps) + p[1][ch];
                }
            }
            return y;
        };
    }

    static Forward activation(ActivationFunction act, int lastDim) {
        return (x, n, p) -> activation(act, x.clone(), lastDim);
    }

    static Forward identity() {
        return (x, n, p) -> x.clone();
    }

    private static double[] activation(ActivationFunction act, double[] y, int lastDim) {
        switch (act) {
            case LINEAR -> {
            }
            case RELU -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.max(y[i], 0);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = 1 / (1 + Math.exp(-y[i]));
                }
            }
            case TANH -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.tanh(y[i]);
                }
            }
            case GELU -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = y[i] * phi(y[i]);
                }
            }
            case SOFTMAX -> {
                for (int r = 0; r < y.length / lastDim; r++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lastDim; j++) {
                        max = Math.max(max, y[r * lastDim + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < lastDim; j++) {
                        sum += Math.exp(y[r * lastDim + j] - max);
                    }
                    for (int j = 0; j < lastDim; j++) {
                        y[r * lastDim + j] = Math.exp(y[r * lastDim + j] - max) / sum;
                    }
                }
            }
        }
        return y;
    }

    /**
     * The normal CDF by its Taylor series Φ(x) = ½ + φ(x)·Σ x^(2k+1)/(1·3·…·(2k+1)), exact to
     * double rounding for |x| ≤ 8; independent of the kernels' erf approximation.
     */
    static double phi(double x) {
        if (x < -8) {
            return 0;
        }
        if (x > 8) {
            return 1;
        }
        double term = x;
        double sum = x;
        for (int k = 1; k < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); k++) {
            term *= x * x / (2 * k + 1);
            sum += term;
        }
        return 0.5 + sum * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }
}
