package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Initializations applied to a built layer after the default one, as airbench94 does
 * (Keller Jordan, "94% on CIFAR-10 in 3.29 Seconds on a Single GPU", 2024): the partial-identity
 * ({@code dirac}) init of a convolution and the data-dependent whitening init of a small first
 * convolution. They overwrite the kernel only (biases are left as they are) and work on any
 * {@link Conv2D}, whatever model holds it. Freezing the kernel afterwards is a separate choice
 * ({@link Param#setFrozen}). Images come as plain float arrays, converted as training feeds them
 * (from a {@code Dataset}: {@code normalization.toFloat(train, Initializers.WHITENING_IMAGES)}),
 * so the data package knows nothing of layers.
 */
public final class Initializers {
    /** airbench94's number of training images whose patches estimate the covariance. */
    public static final int WHITENING_IMAGES = 5000;
    /** airbench94's eps in 1/√(λ + eps): it bounds the gain of near-zero-variance directions. */
    public static final double WHITENING_EPSILON = 5e-4;

    private Initializers() {
    }

    /**
     * Sets the first C (input channels) filters of a built convolution to the identity, as
     * PyTorch's {@code torch.nn.init.dirac_(w[:C])}: filter f &lt; C becomes all zeros except the
     * centre tap of input channel f, which is 1; filters C..F−1 are unchanged. With 'same'
     * padding and stride 1 those filters pass their input channel through unchanged.
     *
     * @throws FoveaException when the layer is not built, its kernel is even-sized, or it has fewer filters than input channels
     */
    public static void dirac(Conv2D conv) {
        Param k = builtKernel(conv, "dirac");
        Shape4 s = new Shape4(k);
        if (s.kh % 2 == 0 || s.kw % 2 == 0) {
            throw new FoveaException(conv.name() + ": dirac init needs an odd kernel (a centre tap), received "
                    + s.kh + "x" + s.kw + "; use it on 1x1, 3x3, 5x5… convolutions");
        }
        if (s.f < s.c) {
            throw new FoveaException(conv.name() + ": dirac init needs at least as many filters as input channels,"
                    + " received " + s.f + " filters for " + s.c + " channels; use it where filters >= channels");
        }
        dirac(k.value(), s.kh, s.kw, s.c, s.f);
    }

    /**
     * {@link #dirac(Conv2D)} on every convolution of {@code model} that then passes its input
     * through ({@link #diracApplies}), nested models' included ({@link Model#namedLayers}): what
     * {@code fovea train --dirac} does, airbench94's init of its 3×3 convolutions.
     *
     * @param except the path of a convolution to leave alone (the whitening layer), or null
     * @return the paths of the convolutions initialized, in {@link Model#namedLayers} order
     */
    public static List<String> dirac(Model model, String except) {
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, Layer> e : model.namedLayers().entrySet()) {
            if (e.getValue() instanceof Conv2D c && diracApplies(c) && !e.getKey().equals(except)) {
                dirac(c);
                done.add(e.getKey());
            }
        }
        return done;
    }

    /**
     * Whether the dirac init makes {@code c} an identity on its first C filters: stride 1, an odd
     * square kernel, 'same' padding and at least as many filters as input channels.
     */
    public static boolean diracApplies(Conv2D c) {
        return c.strideH() == 1 && c.strideW() == 1 && c.kernelH() == c.kernelW() && c.kernelH() % 2 == 1
                && c.padding() == Padding.SAME && c.filters() >= c.inputShape().dim(2);
    }

    /**
     * The array form of {@link #dirac(Conv2D)}.
     *
     * @param kernel (KH, KW, C, F) HWIO, written for filters 0..C−1 only; KH, KW odd, F ≥ C
     */
    public static void dirac(float[] kernel, int kh, int kw, int c, int f) {
        for (int tap = 0; tap < kh * kw; tap++) {
            for (int ci = 0; ci < c; ci++) {
                int base = (tap * c + ci) * f;
                java.util.Arrays.fill(kernel, base, base + c, 0f);
            }
        }
        int centre = (kh / 2) * kw + kw / 2;
        for (int ci = 0; ci < c; ci++) {
            kernel[(centre * c + ci) * f + ci] = 1f;
        }
    }

    /**
     * The uncentered covariance XᵀX / P of all P stride-1 'valid' patches of the images, in
     * double. A patch is the vector of its KH·KW·C values in the order (ky, kx, channel): the
     * order of a HWIO kernel's first three axes, so an eigenvector is a filter as it stands.
     *
     * @param images (N, H, W, C) float, read
     * @return (D, D) row-major with D = KH·KW·C
     */
    public static double[] patchCovariance(float[] images, int n, int h, int w, int c, int kh, int kw) {
        int oh = h - kh + 1;
        int ow = w - kw + 1;
        if (n < 1 || oh < 1 || ow < 1 || images.length != n * h * w * c) {
            throw new FoveaException("patch covariance: expects " + n + " images of " + h + "x" + w + "x" + c + " ("
                    + ((long) n * h * w * c) + " floats) holding at least one " + kh + "x" + kw + " patch, received "
                    + images.length + " floats");
        }
        int d = kh * kw * c;
        double[] cov = new double[d * d];
        double[] patch = new double[d];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int e = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        int row = ((i * h + y + ky) * w + x) * c;
                        for (int j = 0; j < kw * c; j++) {
                            patch[e++] = images[row + j];
                        }
                    }
                    for (int r = 0; r < d; r++) {
                        double pr = patch[r];
                        for (int q = r; q < d; q++) {
                            cov[r * d + q] += pr * patch[q];
                        }
                    }
                }
            }
        }
        double patches = (double) n * oh * ow;
        for (int r = 0; r < d; r++) {
            for (int q = r; q < d; q++) {
                cov[r * d + q] /= patches;
                cov[q * d + r] = cov[r * d + q];
            }
        }
        return cov;
    }

    /**
     * airbench94's {@code init_whitening_conv}: sets the kernel of a built KH×KW convolution with
     * C input channels and 2·KH·KW·C filters from the patch covariance of {@code images}. With
     * λ₀ ≥ … ≥ λ_{D−1} and unit eigenvectors v_i of the covariance, filter i &lt; D is
     * v_i/√(λ_i + eps) and filter D + i its negative, so the first D outputs of the (bias-free)
     * convolution have covariance diag(λ_i/(λ_i + eps)): whitened up to eps. The images should be
     * normalized exactly as in training. An eigenvector's sign is arbitrary (it is Jacobi's), the
     * negated half makes the layer's output the same set either way.
     *
     * @param images (N, H, W, C) float, read; all N images are used
     * @return the eigenvalues λ, descending (D)
     * @throws FoveaException when the layer is not built or its shape does not fit this init or the images
     */
    public static double[] whitening(Conv2D conv, float[] images, int n, int h, int w, int c, double eps) {
        Param k = builtKernel(conv, "whitening");
        Shape4 s = new Shape4(k);
        int d = s.kh * s.kw * s.c;
        if (s.f != 2 * d) {
            throw new FoveaException(conv.name() + ": whitening init needs 2·" + s.kh + "·" + s.kw + "·" + s.c + " = "
                    + 2 * d + " filters (each eigenvector and its negative), received " + s.f
                    + "; build the layer with " + 2 * d + " filters");
        }
        if (c != s.c) {
            throw new FoveaException(conv.name() + ": whitening init expects images with " + s.c
                    + " channels (the layer's input), received " + c + " channels");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new FoveaException(conv.name() + ": whitening eps must be finite and > 0, received " + eps
                    + "; airbench94 uses " + WHITENING_EPSILON);
        }
        double[] cov = patchCovariance(images, n, h, w, c, s.kh, s.kw);
        double[] values = new double[d];
        double[] vectors = new double[d * d];
        SymmetricEigen.decompose(cov, d, values, vectors);
        float[] kernel = k.value();
        for (int i = 0; i < d; i++) {
            double gain = 1 / Math.sqrt(values[i] + eps);
            for (int e = 0; e < d; e++) {
                float wv = (float) (vectors[i * d + e] * gain);
                kernel[e * s.f + i] = wv;
                kernel[e * s.f + d + i] = -wv;
            }
        }
        return values;
    }

    /**
     * {@link #whitening(Conv2D, float[], double)} with airbench94's eps, 5e-4.
     */
    public static double[] whitening(Conv2D conv, float[] images) {
        return whitening(conv, images, WHITENING_EPSILON);
    }

    /**
     * The whitening init of {@code conv} from images of its own input shape (H, W, C), as many as
     * {@code images} holds: airbench94 takes the first {@value #WHITENING_IMAGES} training images,
     * normalized as in training and not augmented.
     *
     * @param images (N, H, W, C) float, read; N = images.length / (H·W·C), at least 1
     * @return the patch covariance's eigenvalues, descending
     */
    public static double[] whitening(Conv2D conv, float[] images, double eps) {
        builtKernel(conv, "whitening");
        Shape in = conv.inputShape();
        int per = in.size();
        if (images.length < per || images.length % per != 0) {
            throw new FoveaException(conv.name() + ": whitening init needs whole images of the layer's input shape "
                    + in.toBatchString() + " (" + per + " values each), received " + images.length
                    + " values; pass at least one image of that shape");
        }
        return whitening(conv, images, images.length / per, in.dim(0), in.dim(1), in.dim(2), eps);
    }

    private static Param builtKernel(Conv2D conv, String init) {
        if (conv.kernel() == null) {
            throw new FoveaException(conv.name() + ": " + init + " init needs a built layer, but it has no kernel yet;"
                    + " build the model (Model.of or Model.sequential) or call build(inputShape, rng) before initializing it");
        }
        return conv.kernel();
    }

    /** A HWIO kernel's four dimensions. */
    private record Shape4(int kh, int kw, int c, int f) {
        Shape4(Param k) {
            this(k.shape().dim(0), k.shape().dim(1), k.shape().dim(2), k.shape().dim(3));
        }
    }
}
