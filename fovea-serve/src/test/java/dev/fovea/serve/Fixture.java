package dev.fovea.serve;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.Padding.SAME;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Test fixture: small seeded models written as files (one in a run folder with a report), a
 * server on a free port, an HTTP client and independent expectations (a direct forward pass of
 * a fresh copy of the model loaded from the same file, on its own thread).
 */
final class Fixture {
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    static final Normalization NORM = new Normalization(new float[] {0.49f, 0.48f, 0.45f},
            new float[] {0.25f, 0.24f, 0.26f});
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private Fixture() {
    }

    /** Conv(8)-pool-dense(10) on 32×32×3, with a softmax or a linear (logits) head, weights from {@code seed}. */
    static Model model(ActivationFunction head, long seed) {
        SymbolicTensor in = Input.of(32, 32, 3);
        SymbolicTensor x = new Conv2D(8, 3, SAME, RELU).apply(in);
        x = new MaxPooling2D(4).apply(x);
        x = new Flatten().apply(x);
        Model m = Model.of(in, new Dense(10, head).apply(x));
        m.initialize(seed);
        return m;
    }

    /** Writes {@code dir/NAME/model.safetensors} and a report.html beside it (a run folder). */
    static Path runFolder(Path dir, String name, ActivationFunction head, long seed) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        ModelFile.save(run.resolve("model.safetensors"), model(head, seed),
                new ModelFile.Info(CLASSES, NORM.toMap(), Map.of("seed", seed)));
        Files.writeString(run.resolve("report.html"), "<html><body>report of " + name + "</body></html>");
        return run;
    }

    /** Writes a plain model file {@code dir/FILE}. */
    static Path modelFile(Path dir, String file, ActivationFunction head, long seed) {
        Path p = dir.resolve(file);
        ModelFile.save(p, model(head, seed), new ModelFile.Info(CLASSES, NORM.toMap(), Map.of("seed", seed)));
        return p;
    }

    /** Class probabilities (n,10) from a fresh load of {@code file}: softmax of the logits unless the head is softmax. */
    static float[] direct(Path file, float[] x, int n, boolean softmaxHead) {
        Model m = ModelFile.load(file).model();
        float[] y = m.forward(new Tensor(Shape.of(n, 32, 32, 3), x.clone()), false).data().clone();
        if (!softmaxHead) {
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < 10; j++) {
                    max = Math.max(max, y[i * 10 + j]);
                }
                double sum = 0;
                for (int j = 0; j < 10; j++) {
                    sum += Math.exp(y[i * 10 + j] - max);
                }
                for (int j = 0; j < 10; j++) {
                    y[i * 10 + j] = (float) (Math.exp(y[i * 10 + j] - max) / sum);
                }
            }
        }
        return y;
    }

    /** {@code n} distinct random images (n,32,32,3) as 0-255 bytes. */
    static byte[] pixels(int n, long seed) {
        byte[] b = new byte[n * 32 * 32 * 3];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Preprocessed as the model file says: (p/255 − mean)/std per channel, computed here independently. */
    static float[] preprocess(byte[] px) {
        float[] mean = NORM.mean();
        float[] std = NORM.std();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            x[i] = ((px[i] & 0xFF) / 255f - mean[i % 3]) / std[i % 3];
        }
        return x;
    }

    /** An image of {@code w}×{@code h} random pixels encoded as {@code format} (png, bmp, gif, jpeg). */
    static byte[] encoded(int w, int h, String format, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What {@code fovea predict} feeds the model for these image bytes. */
    static float[] predictInput(byte[] encoded) {
        return preprocess(ImageFolder.readRgb(encoded, "test", 32, 32));
    }

    static InferenceServer start(ServeOptions o, ServedModel... models) {
        return InferenceServer.start(o, List.of(models), List.of(), System.err);
    }

    static HttpResponse<String> get(InferenceServer s, String path) {
        return send(HttpRequest.newBuilder(URI.create(s.url() + path)).GET().build());
    }

    static HttpResponse<String> post(InferenceServer s, String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(s.url() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** A v2 inference request for images {@code x} (n,32,32,3) as FP32, flat. */
    static byte[] inferFp32(float[] x, int n, String id) {
        Map<String, Object> input = Map.of("name", "input", "datatype", "FP32", "shape", List.of(n, 32, 32, 3),
                "data", x);
        try {
            return JSON.writeValueAsBytes(id == null ? Map.of("inputs", List.of(input))
                    : Map.of("id", id, "inputs", List.of(input)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
