package dev.fovea.report;

import dev.fovea.eval.GradCam;
import java.awt.image.BufferedImage;

/**
 * Pictures of class-activation heatmaps ({@link GradCam}): a map in [0,1] coloured with the jet
 * colormap, alone or blended over the image it explains. The map is resized bilinearly (PyTorch's
 * {@code align_corners=False}, {@link GradCam#upsample}) to the picture's size, so a 4×4 map
 * over a 256×256 image varies smoothly. Values outside [0,1] are clamped. Not a plotting tool:
 * no legend or axes (the colour scale is fixed: blue 0, green ½, red 1).
 */
public final class Heatmaps {
    /** Explained images are enlarged by an integer factor to about this size, so a 32×32 image becomes 256×256. */
    public static final int SHOWN = 256;
    /** Weight of the heatmap's colour in an explained image's blend. */
    public static final float ALPHA = 0.45f;

    private Heatmaps() {
    }

    /**
     * The picture of one Grad-CAM explanation, as {@code fovea explain --grad-cam} writes it and
     * the server's explain route answers it: the image {@code rgb (h,w,3)} (read) enlarged by the
     * integer factor max(1, {@value #SHOWN} / max(h, w)) (nearest-neighbour, so pixels stay sharp),
     * with the heatmap {@code heat (mapH,mapW)} (read) resized bilinearly over it at {@link #ALPHA}.
     */
    public static BufferedImage explained(byte[] rgb, int h, int w, float[] heat, int mapH, int mapW) {
        int factor = Math.max(1, SHOWN / Math.max(h, w));
        return overlay(enlarge(fromRgb(rgb, h, w), factor), heat, mapH, mapW, ALPHA);
    }

    /**
     * The jet colour of {@code v} in [0,1] as 0xRRGGBB: each channel is the piecewise-linear
     * ramp clamp(1.5 − |4v − k|) with k = 3 (red), 2 (green), 1 (blue), the usual closed form of
     * MATLAB's and matplotlib's jet: dark blue at 0, cyan, green at ½, yellow, dark red at 1.
     */
    public static int jet(float v) {
        float x = Math.max(0f, Math.min(1f, Float.isNaN(v) ? 0f : v));
        int r = channel(1.5f - Math.abs(4 * x - 3));
        int g = channel(1.5f - Math.abs(4 * x - 2));
        int b = channel(1.5f - Math.abs(4 * x - 1));
        return r << 16 | g << 8 | b;
    }

    private static int channel(float f) {
        return Math.round(255 * Math.max(0f, Math.min(1f, f)));
    }

    /**
     * {@code image} with the heatmap {@code heat (h,w)} (row-major, read) resized to its size,
     * coloured by {@link #jet} and blended over it: out = (1 − alpha)·image + alpha·colour per
     * channel. Returns a new RGB image of the image's size.
     */
    public static BufferedImage overlay(BufferedImage image, float[] heat, int h, int w, float alpha) {
        if (!(alpha >= 0f && alpha <= 1f)) {
            throw new IllegalArgumentException("overlay: alpha must lie in [0, 1], received " + alpha);
        }
        int oh = image.getHeight();
        int ow = image.getWidth();
        float[] up = GradCam.upsample(heat, h, w, oh, ow);
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int p = image.getRGB(x, y);
                int c = jet(up[y * ow + x]);
                int r = blend(p >> 16 & 0xFF, c >> 16 & 0xFF, alpha);
                int g = blend(p >> 8 & 0xFF, c >> 8 & 0xFF, alpha);
                int b = blend(p & 0xFF, c & 0xFF, alpha);
                out.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return out;
    }

    private static int blend(int under, int over, float alpha) {
        return Math.round((1 - alpha) * under + alpha * over);
    }

    /** The heatmap {@code heat (h,w)} alone, resized to (outH,outW) and coloured by {@link #jet}. */
    public static BufferedImage colormap(float[] heat, int h, int w, int outH, int outW) {
        float[] up = GradCam.upsample(heat, h, w, outH, outW);
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                out.setRGB(x, y, jet(up[y * outW + x]));
            }
        }
        return out;
    }

    /**
     * {@code image} enlarged {@code factor} times with nearest-neighbour sampling (sharp pixels, no
     * invented colours), so a 32×32 image is big enough to see what a heatmap covers.
     */
    public static BufferedImage enlarge(BufferedImage image, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("enlarge: factor must be ≥ 1, received " + factor);
        }
        BufferedImage out = new BufferedImage(image.getWidth() * factor, image.getHeight() * factor,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, image.getRGB(x / factor, y / factor));
            }
        }
        return out;
    }

    /** An (H,W,3) row-major uint8 RGB array (read) as an image. */
    public static BufferedImage fromRgb(byte[] rgb, int h, int w) {
        if (rgb.length != h * w * 3) {
            throw new IllegalArgumentException("fromRgb: " + h + "×" + w + " RGB needs " + h * w * 3
                    + " bytes, received " + rgb.length);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < h * w; p++) {
            out.setRGB(p % w, p / w, (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | rgb[3 * p + 2] & 0xFF);
        }
        return out;
    }

    /** An image as (H,W,3) row-major uint8 RGB, e.g. for an {@link ImageGrid.Tile}. */
    public static byte[] toRgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] out = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                int o = 3 * (y * w + x);
                out[o] = (byte) (p >> 16);
                out[o + 1] = (byte) (p >> 8);
                out[o + 2] = (byte) p;
            }
        }
        return out;
    }
}
