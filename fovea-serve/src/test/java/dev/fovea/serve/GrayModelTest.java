package dev.fovea.serve;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.ActivationFunction.SOFTMAX;
import static dev.fovea.nn.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model taking 1-channel (gray) input: uploaded image files decode to RGB, so the image routes
 * must refuse it with a 400 saying so (as {@code fovea predict} refuses it), never feed it a third
 * of the RGB bytes; its tensors still go through {@code /v2/.../infer}.
 */
class GrayModelTest {
    @TempDir
    Path dir;

    private static Model grayModel() {
        SymbolicTensor in = Input.of(8, 8, 1);
        SymbolicTensor x = new Conv2D(4, 3, SAME, RELU).apply(in);
        x = new MaxPooling2D(2).apply(x);
        x = new Flatten().apply(x);
        Model m = Model.of(in, new Dense(3, SOFTMAX).apply(x));
        m.initialize(7);
        return m;
    }

    @Test
    void imageRoutesRefuseANonRgbModelWhileItsTensorsAreServed() throws Exception {
        Path file = dir.resolve("gray.safetensors");
        Normalization norm = new Normalization(new float[] {0.5f}, new float[] {0.25f});
        ModelFile.save(file, grayModel(), new ModelFile.Info(List.of("a", "b", "c"), norm.toMap(), Map.of()));
        try (InferenceServer s = Fixture.start(ServeOptions.defaults(0), ServedModel.load("gray", file))) {
            byte[] png = Fixture.encoded(8, 8, "png", 1);
            for (String route : List.of("predict", "explain")) {
                HttpResponse<String> r = Fixture.post(s, "/v1/models/gray/" + route, "image/png", png);
                assertEquals(400, r.statusCode(), route + ": " + r.body());
                String error = Fixture.json(r).get("error").asText();
                assertTrue(error.contains("1-channel") && error.contains("RGB"), route + ": " + error);
            }

            byte[] px = new byte[64];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (i * 4);
            }
            int[] data = new int[64];
            float[] x = new float[64];
            for (int i = 0; i < 64; i++) {
                data[i] = px[i] & 0xFF;
                x[i] = ((px[i] & 0xFF) / 255f - 0.5f) / 0.25f; // the preprocessing, computed here
            }
            byte[] body = Fixture.JSON.writeValueAsBytes(Map.of("inputs", List.of(Map.of("name", "input",
                    "datatype", "UINT8", "shape", List.of(1, 8, 8, 1), "data", data))));
            HttpResponse<String> r = Fixture.post(s, "/v2/models/gray/infer", "application/json", body);
            assertEquals(200, r.statusCode(), r.body());
            float[] expected = ModelFile.load(file).model().forward(new Tensor(Shape.of(1, 8, 8, 1), x), false).data();
            JsonNode probs = Fixture.json(r).get("outputs").get(0).get("data");
            for (int j = 0; j < 3; j++) {
                assertEquals(expected[j], probs.get(j).floatValue(), 1e-6f);
            }
        }
    }
}
