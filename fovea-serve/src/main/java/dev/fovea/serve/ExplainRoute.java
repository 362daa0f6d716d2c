package dev.fovea.serve;

import dev.fovea.FoveaException;
import dev.fovea.eval.GradCam;
import dev.fovea.report.Heatmaps;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code POST /v1/models/{name}/explain?class=NAME|INDEX&layer=NAME&format=png|json}: the
 * Grad-CAM explanation ({@link GradCam}) of one image sent as the raw body, decoded and limited
 * exactly as the predict route decodes it ({@link ImageInput}). PNG answers the picture
 * {@code fovea explain --grad-cam} writes ({@link Heatmaps#explained}); JSON answers the
 * normalized map and the top classes. The backward pass runs on the model's inference thread
 * ({@link InferenceServer#runExclusive}), never beside its forward passes; decoding and drawing
 * run on the request's thread.
 */
final class ExplainRoute {
    static final String PATH = "/v1/models/{name}/explain";

    private final InferenceServer server;

    ExplainRoute(InferenceServer server) {
        this.server = server;
    }

    void register(RoutesConfig r) {
        r.post(PATH, this::explain);
    }

    private void explain(Context ctx) {
        ServedModel m = server.batcher(ctx.pathParam("name")).model();
        String format = ctx.queryParam("format") == null ? "png" : ctx.queryParam("format").strip();
        if (!format.equals("png") && !format.equals("json")) {
            throw new ApiError(400, "format=" + ctx.queryParam("format") + ": expected png (the overlay picture) or"
                    + " json (the heatmap's values)");
        }
        int cls = classIndex(ctx.queryParam("class"), m);
        int topK = ConvenienceRoutes.topK(ctx.queryParam("top_k"), m.classes());
        String layer = ctx.queryParam("layer");
        m.requireRgbImages("explain");
        if (ctx.isMultipartFormData()) {
            throw new ApiError(400, "explain takes one image as the raw request body, received a multipart upload;"
                    + " send e.g. curl --data-binary @cat.png");
        }
        byte[] rgb = ImageInput.decode(ctx.bodyAsBytes(), "the request body", server.options().maxPixels(),
                m.height(), m.width());
        float[] x = new float[rgb.length];
        m.normalization().toFloat(rgb, 0, x, 0, rgb.length);
        Tensor batch = new Tensor(Shape.of(1, m.height(), m.width(), m.channels()), x);
        Explained e = server.runExclusive(m.name(), model -> {
            GradCam cam;
            try {
                cam = new GradCam(model, layer == null || layer.isBlank() ? null : layer.strip());
            } catch (FoveaException ex) {
                throw new ApiError(400, "layer=" + layer + ": " + ex.getMessage());
            }
            return new Explained(cam.layerName(), cam.compute(batch, new int[] {cls}));
        });
        if (format.equals("png")) {
            byte[] png = png(rgb, m, e.result());
            ctx.attribute("fovea.bytes", png.length);
            ctx.contentType("image/png").result(png);
        } else {
            InferenceServer.json(ctx, 200, json(m, e, topK));
        }
    }

    /** What the model's thread hands back: the layer explained (the default resolved) and the maps. */
    private record Explained(String layer, GradCam.Result result) {
    }

    private static Map<String, Object> json(ServedModel m, Explained e, int topK) {
        GradCam.Result r = e.result();
        int c = r.classes()[0];
        float[] heat = r.heatmap(0);
        List<float[]> rows = new ArrayList<>();
        for (int y = 0; y < r.height(); y++) {
            float[] row = new float[r.width()];
            System.arraycopy(heat, y * r.width(), row, 0, r.width());
            rows.add(row);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", m.name());
        doc.put("class", m.classNames().get(c));
        doc.put("index", c);
        doc.put("probability", r.probability(0));
        doc.put("layer", e.layer());
        doc.put("height", r.height());
        doc.put("width", r.width());
        doc.put("heatmap", rows);
        doc.put("top", ConvenienceRoutes.top(m, r.probabilities(), 0, topK));
        return doc;
    }

    /** {@code class=NAME|INDEX}: a class name of the model or an index; absent: −1, the predicted class. */
    static int classIndex(String value, ServedModel m) {
        if (value == null) {
            return -1;
        }
        String v = value.strip();
        int i = m.classNames().indexOf(v);
        if (i >= 0) {
            return i;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n < m.classes()) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // not a number: reported below with the names there are
        }
        throw new ApiError(400, "class=" + value + ": expected a class name of model " + m.name() + " or an index 0.."
                + (m.classes() - 1) + "; its classes are " + m.classNames());
    }

    private static byte[] png(byte[] rgb, ServedModel m, GradCam.Result r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(Heatmaps.explained(rgb, m.height(), m.width(), r.heatmap(0), r.height(), r.width()), "png",
                    out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return out.toByteArray();
    }
}
