package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.nn.Model;

/**
 * Test-time augmentation worked out independently of {@code TestTimeAugmentation}: each view is
 * a whole dataset of moved uint8 pixels, run through the plain predict path, and the outputs are
 * averaged with the definition's weights (flip: image, mirror ½ each; 6view: image, mirror ¼
 * each, and the 1-pixel reflect-shifts up-left and down-right with their mirrors ⅛ each).
 */
final class TtaViews {
    private TtaViews() {
    }

    /** Pixel (i, j) of the view is pixel (r(i+d), r(j'+d)) of the image, j' = W-1-j when mirrored. */
    static Dataset view(Dataset ds, int d, boolean mirror) {
        int h = ds.height();
        int w = ds.width();
        int c = ds.channels();
        byte[] in = ds.images();
        byte[] out = new byte[in.length];
        for (int n = 0; n < ds.size(); n++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int si = reflect(i + d, h);
                    int sj = reflect((mirror ? w - 1 - j : j) + d, w);
                    for (int ch = 0; ch < c; ch++) {
                        out[((n * h + i) * w + j) * c + ch] = in[((n * h + si) * w + sj) * c + ch];
                    }
                }
            }
        }
        return new Dataset(out, ds.labels(), ds.classNames(), h, w, c);
    }

    private static int reflect(int i, int len) {
        return i < 0 ? -i : i >= len ? 2 * len - 2 - i : i;
    }

    /** The averaged outputs (N, K) of {@code level} ("flip" or "6view"). */
    static float[] average(Model m, Dataset ds, Normalization norm, String level) {
        int[][] views = level.equals("flip") ? new int[][]{{0, 0}, {0, 1}}
                : new int[][]{{0, 0}, {0, 1}, {-1, 0}, {-1, 1}, {1, 0}, {1, 1}};
        double[] weights = level.equals("flip") ? new double[]{0.5, 0.5}
                : new double[]{0.25, 0.25, 0.125, 0.125, 0.125, 0.125};
        float[] sum = null;
        for (int v = 0; v < views.length; v++) {
            float[] y = TrainedModel.predict(m, view(ds, views[v][0], views[v][1] == 1), norm);
            if (sum == null) {
                sum = new float[y.length];
            }
            for (int i = 0; i < y.length; i++) {
                sum[i] += (float) (weights[v] * y[i]);
            }
        }
        return sum;
    }
}
