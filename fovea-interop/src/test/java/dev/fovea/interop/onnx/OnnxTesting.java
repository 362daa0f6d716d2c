package dev.fovea.interop.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Rng;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What the ONNX tests share: ONNX Runtime (the reference), real images, non-trivial BN statistics. */
final class OnnxTesting {
    private OnnxTesting() {
    }

    static final Path SAMPLE = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar10-images-sample/val");

    /** ONNX Runtime's output for {@code x} of {@code shape}, one thread (the machine is shared). */
    static float[] runtime(Path onnx, float[] x, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            try (OrtSession s = env.createSession(onnx.toString(), o);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result r = s.run(Map.of("input", t))) {
                OnnxTensor y = (OnnxTensor) r.get(0);
                FloatBuffer b = y.getFloatBuffer();
                float[] out = new float[b.remaining()];
                b.get(out);
                return out;
            }
        }
    }

    /**
     * The first {@code n} images of the shared sample (sorted, one per class in turn) as 32×32
     * float NHWC, normalized with CIFAR-10's usual per-channel mean and std.
     */
    static float[] images(int n) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> classes = Files.list(SAMPLE).sorted()) {
            for (Path c : classes.toList()) {
                try (Stream<Path> s = Files.list(c).sorted()) {
                    files.add(s.findFirst().orElseThrow());
                }
            }
        }
        assertTrue(files.size() >= n, "the shared sample has " + files.size() + " classes");
        Normalization norm = new Normalization(new float[]{0.4914f, 0.4822f, 0.4465f}, new float[]{0.247f, 0.243f, 0.261f});
        float[] mean = norm.mean();
        float[] std = norm.std();
        float[] x = new float[n * 32 * 32 * 3];
        for (int i = 0; i < n; i++) {
            byte[] rgb = ImageFolder.readRgb(files.get(i), 32, 32);
            for (int p = 0; p < rgb.length; p++) {
                int ch = p % 3;
                x[i * rgb.length + p] = ((rgb[p] & 0xFF) / 255f - mean[ch]) / std[ch];
            }
        }
        return x;
    }

    /** Gives every BatchNormalization (nested ones too) seeded, far-from-identity parameters and statistics. */
    static void randomizeBatchNorm(Model model, long seed) {
        Rng rng = new Rng(seed);
        for (Layer l : model.namedLayers().values()) {
            if (l instanceof BatchNormalization bn) {
                for (Param p : bn.params()) {
                    float[] v = p.value();
                    for (int i = 0; i < v.length; i++) {
                        float u = rng.nextFloat();
                        v[i] = switch (p.name()) {
                            case "gamma" -> 0.5f + u;
                            case "moving_variance" -> 0.3f + 2f * u;
                            default -> u - 0.5f;
                        };
                    }
                }
            }
        }
    }

    /** Asserts |a − b| ≤ tol element-wise, naming the worst element. */
    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": output sizes");
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, what + ": element " + at + " differs by " + worst + " (expected " + expected[at]
                + ", received " + actual[at] + "), tolerance " + tol);
    }
}
