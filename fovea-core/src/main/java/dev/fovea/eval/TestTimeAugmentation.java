package dev.fovea.eval;

import dev.fovea.FoveaException;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Batch;
import dev.fovea.train.Feed;
import java.util.Arrays;
import java.util.Locale;

/**
 * Test-time augmentation: a model's inference-mode outputs averaged over fixed views of each
 * image, for any image model (inputs {@code x (N,H,W,C)}, any size and channel count). The views
 * are made on the preprocessed float batch; flips and reflect-shifts only move pixels, so this
 * equals augmenting the raw image before a per-channel normalization.
 *
 * <p>What is averaged is the model's raw output, element by element: <b>logits</b> for a model
 * that ends in a linear layer, <b>probabilities</b> for one that ends in a softmax (callers tell
 * them apart with {@code Model.endsInSoftmax}, and turn either into probabilities with
 * {@code Model.probabilities}).
 * airbench averages logits; averaged probabilities are still a distribution, so both stay valid
 * inputs to the cross-entropy of their kind.
 *
 * <p>The levels, with the weight of each view:
 * <ul>
 *   <li>{@link Level#NONE}: the image (1).
 *   <li>{@link Level#FLIP}: the image and its left-right mirror (½ each).
 *   <li>{@link Level#SIX_VIEW}: airbench94's {@code infer_mirror_translate}: ½ × mean(image,
 *       mirror) + ½ × the mean over two 1-pixel shifts, each averaged with its mirror (image and
 *       mirror ¼ each, the four shifted views ⅛ each). The shifts are PyTorch's
 *       {@code F.pad(x, 1, 'reflect')} cropped at rows/columns [0, H) (the content moves one pixel
 *       down-right) and [2, H+2) (one pixel up-left); reflect excludes the edge pixel, so
 *       {@code x[-1] = x[1]} and {@code x[H] = x[H-2]}, which needs H, W ≥ 2.
 * </ul>
 *
 * <p>One forward pass per view per batch, in inference mode. The view and the running sum are
 * buffers kept by the instance and reused while the batch size stays the same, so an instance is
 * not thread-safe. Deterministic: views are copies and the weighted sum runs in view order.
 */
public final class TestTimeAugmentation {
    /** How many views to average; {@link #cliName()} is the spelling of {@code --tta}. */
    public enum Level {
        NONE("none"), FLIP("flip"), SIX_VIEW("6view");

        private final String cliName;

        Level(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        /** The level spelled {@code none}, {@code flip} or {@code 6view} (any case). */
        public static Level parse(String name) {
            for (Level l : values()) {
                if (l.cliName.equalsIgnoreCase(name.strip())) {
                    return l;
                }
            }
            throw new FoveaException("test-time augmentation: expected none, flip or 6view, received '" + name
                    + "'; pass none (the image only), flip (image and mirror) or 6view (airbench's six views)");
        }
    }

    /** (row shift, column shift, mirrored) of each view, and its weight, in summation order. */
    private static final int[][] FLIP_VIEWS = {{0, 0, 0}, {0, 0, 1}};
    private static final float[] FLIP_WEIGHTS = {0.5f, 0.5f};
    private static final int[][] SIX_VIEWS = {{0, 0, 0}, {0, 0, 1}, {-1, -1, 0}, {-1, -1, 1}, {1, 1, 0}, {1, 1, 1}};
    private static final float[] SIX_WEIGHTS = {0.25f, 0.25f, 0.125f, 0.125f, 0.125f, 0.125f};

    private final Level level;
    private float[] view = new float[0];
    private float[] sum = new float[0];

    public TestTimeAugmentation(Level level) {
        this.level = level;
    }

    public Level level() {
        return level;
    }

    /** Number of forward passes per batch: 1, 2 or 6. */
    public int views() {
        return switch (level) {
            case NONE -> 1;
            case FLIP -> 2;
            case SIX_VIEW -> 6;
        };
    }

    /**
     * The averaged outputs of {@code model} for {@code x (N,H,W,C)} (read, not modified), in
     * inference mode. The result's shape is the model's output shape; its array is reused by the
     * next call on this instance (with {@link Level#NONE} it is the model's own output buffer).
     *
     * @throws FoveaException when a flip or shift level gets an input that is not a batch of
     *                        images, or a 6-view shift an image narrower than 2 pixels
     */
    public Tensor forward(Model model, Tensor x) {
        return forward(model::forwardInference, x);
    }

    /** {@link #forward(Model, Tensor)} through a prepared model. */
    public Tensor forward(InferencePlan plan, Tensor x) {
        return forward(plan::forward, x);
    }

    private Tensor forward(java.util.function.UnaryOperator<Tensor> model, Tensor x) {
        if (level == Level.NONE) {
            return model.apply(x);
        }
        checkImages(x.shape());
        int n = x.dim(0);
        int h = x.dim(1);
        int w = x.dim(2);
        int c = x.dim(3);
        if (view.length != x.size()) {
            view = new float[x.size()];
        }
        Tensor v = new Tensor(x.shape(), view);
        int[][] views = level == Level.FLIP ? FLIP_VIEWS : SIX_VIEWS;
        float[] weights = level == Level.FLIP ? FLIP_WEIGHTS : SIX_WEIGHTS;
        Shape outShape = null;
        for (int k = 0; k < views.length; k++) {
            int[] s = views[k];
            shiftMirror(x.data(), view, n, h, w, c, s[0], s[1], s[2] == 1);
            Tensor y = model.apply(v);
            float[] yd = y.data();
            if (k == 0) {
                outShape = y.shape();
                if (sum.length != yd.length) {
                    sum = new float[yd.length];
                }
                Arrays.fill(sum, 0f);
            }
            float wk = weights[k];
            for (int i = 0; i < yd.length; i++) {
                sum[i] += wk * yd[i];
            }
        }
        return new Tensor(outShape, sum);
    }

    /**
     * {@link #forward} over every sample of {@code data} in order, batches of {@code batchSize}:
     * the (N, …) outputs as one array, as {@code Trainer.predict} returns them (through an
     * {@link InferencePlan} of the model's weights now).
     */
    public float[] predict(Model model, Feed.Source data, int batchSize) {
        float[] out = null;
        int filled = 0;
        InferencePlan plan = InferencePlan.of(model);
        try (Feed feed = data.inOrder(batchSize)) {
            for (Batch b = feed.next(); b != null; b = feed.next()) {
                Tensor y = forward(plan, b.x());
                if (out == null) {
                    out = new float[data.size() * (y.size() / b.size())];
                }
                System.arraycopy(y.data(), 0, out, filled, y.size());
                filled += y.size();
            }
        }
        return out == null ? new float[0] : out;
    }

    private void checkImages(Shape s) {
        if (s.rank() != 4) {
            throw new FoveaException("test-time augmentation " + level.cliName() + ": expects a batch of images"
                    + " (N, height, width, channels), received inputs of shape " + s
                    + "; use level none (--tta none) for a model that does not take images");
        }
        if (level == Level.SIX_VIEW && (s.dim(1) < 2 || s.dim(2) < 2)) {
            throw new FoveaException(String.format(Locale.ROOT, "test-time augmentation 6view: reflect-shifting by"
                    + " 1 pixel needs images of at least 2×2, received %d×%d; use level flip or none (--tta flip)",
                    s.dim(1), s.dim(2)));
        }
    }

    /**
     * out(i, j) = x(reflect(i + dy), reflect(j' + dx)) per image and channel, where j' is
     * {@code w-1-j} when mirrored, else j, and reflect(-1) = 1, reflect(L) = L-2 (PyTorch's
     * 'reflect' pad by one pixel). Shifts are -1, 0 or 1.
     *
     * @param x   (N,H,W,C), read
     * @param out (N,H,W,C), written
     */
    static void shiftMirror(float[] x, float[] out, int n, int h, int w, int c, int dy, int dx, boolean mirror) {
        int image = h * w * c;
        Parallel.forEach(n, b -> {
            int base = b * image;
            for (int i = 0; i < h; i++) {
                int si = reflect(i + dy, h);
                for (int j = 0; j < w; j++) {
                    int sj = reflect((mirror ? w - 1 - j : j) + dx, w);
                    System.arraycopy(x, base + (si * w + sj) * c, out, base + (i * w + j) * c, c);
                }
            }
        });
    }

    private static int reflect(int i, int len) {
        return i < 0 ? -i : i >= len ? 2 * len - 2 - i : i;
    }
}
