package dev.fovea.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes a person or a page uses: {@code POST /v1/models/{name}/predict} with image bytes
 * (the body, or multipart parts) answering as {@code fovea predict --json} does, the model list,
 * each model's summary and its run folder's report. Only files the server was started with are
 * read; no route takes a path from the client.
 */
final class ConvenienceRoutes {
    private final InferenceServer server;

    ConvenienceRoutes(InferenceServer server) {
        this.server = server;
    }

    void register(RoutesConfig r) {
        r.get("/v1/models", this::list);
        r.get("/v1/models/{name}/summary", ctx -> {
            ServedModel m = server.batcher(ctx.pathParam("name")).model();
            InferenceServer.json(ctx, 200, Map.of("model", m.name(), "summary", m.summary()));
        });
        r.get("/v1/models/{name}/report", this::report);
        r.post("/v1/models/{name}/predict", this::predict);
    }

    private void list(Context ctx) {
        List<Object> models = new ArrayList<>();
        for (Batcher b : server.batchers().values()) {
            ServedModel m = b.model();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", m.name());
            e.put("file", m.file().getFileName().toString());
            e.put("input_shape", List.of(m.height(), m.width(), m.channels()));
            e.put("classes", m.classNames());
            e.put("has_report", m.report() != null);
            models.add(e);
        }
        InferenceServer.json(ctx, 200, Map.of("models", models));
    }

    private void report(Context ctx) throws IOException {
        ServedModel m = server.batcher(ctx.pathParam("name")).model();
        if (m.report() == null || !Files.isRegularFile(m.report())) {
            throw new ApiError(404, "model " + m.name() + " has no training report: its file "
                    + m.file().getFileName() + " does not sit in a run folder with report.html (written by"
                    + " 'fovea train --out DIR'); serve DIR or DIR/model.safetensors to get one");
        }
        byte[] html = Files.readAllBytes(m.report());
        ctx.attribute("fovea.bytes", html.length);
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    private void predict(Context ctx) throws IOException {
        Batcher b = server.batcher(ctx.pathParam("name"));
        try (Batcher.Arrival arrival = b.arrive()) {
            predict(ctx, b, arrival);
        }
    }

    private void predict(Context ctx, Batcher b, Batcher.Arrival arrival) throws IOException {
        ServedModel m = b.model();
        int topK = topK(ctx.queryParam("top_k"), m.classes());
        m.requireRgbImages("predict");
        List<String> names = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        if (ctx.isMultipartFormData()) {
            List<UploadedFile> files = ctx.uploadedFiles();
            if (files.isEmpty()) {
                throw new ApiError(400, "the multipart request has no file parts; expected one or more image"
                        + " files (e.g. curl -F image=@cat.png)");
            }
            for (UploadedFile f : files) {
                try (InputStream in = f.content()) {
                    images.add(in.readAllBytes());
                }
                names.add(f.filename());
            }
        } else {
            images.add(ctx.bodyAsBytes());
            names.add(null);
        }
        int px = m.imageSize();
        byte[] rgb = new byte[images.size() * px];
        for (int i = 0; i < images.size(); i++) {
            String where = names.get(i) == null ? "the request body" : "part '" + names.get(i) + "'";
            byte[] one = ImageInput.decode(images.get(i), where, server.options().maxPixels(), m.height(), m.width());
            System.arraycopy(one, 0, rgb, i * px, px);
        }
        float[] x = new float[rgb.length];
        m.normalization().toFloat(rgb, 0, x, 0, rgb.length);
        float[] probs = server.classify(b, arrival, x, images.size());

        List<Object> predictions = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("file", names.get(i));
            p.put("top", top(m, probs, i, topK));
            predictions.add(p);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", m.name());
        doc.put("predictions", predictions);
        InferenceServer.json(ctx, 200, doc);
    }

    /** The {@code count} most probable classes of row {@code i} of {@code probs (…,K)}, as {@code fovea predict --json} lists them. */
    static List<Object> top(ServedModel m, float[] probs, int i, int count) {
        int k = m.classes();
        List<Object> top = new ArrayList<>();
        for (int j : Top.indices(probs, i * k, k, count)) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("class", m.classNames().get(j));
            g.put("index", j);
            g.put("probability", probs[i * k + j]);
            top.add(g);
        }
        return top;
    }

    /** {@code top_k}: 1..K, default min(5, K). */
    static int topK(String q, int k) {
        if (q == null) {
            return Math.min(OpenInferenceRoutes.DEFAULT_TOP_K, k);
        }
        try {
            int t = Integer.parseInt(q.trim());
            if (t >= 1 && t <= k) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiError(400, "top_k=" + q + ": expected a whole number from 1 to " + k + " (the model's classes)");
    }
}
