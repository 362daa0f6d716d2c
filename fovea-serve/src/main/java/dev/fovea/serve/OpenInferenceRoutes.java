package dev.fovea.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol (KServe v2) REST routes: health, server and model metadata, and
 * {@code POST /v2/models/{name}/infer} with one input tensor "input" (FP32, already
 * preprocessed, or UINT8 raw RGB that the server preprocesses) of shape [N,H,W,C], answering
 * "probabilities" [N,K] FP32 and "classes" [N,k] BYTES. Field names follow the protocol's
 * JSON objects (kserve.github.io, "Open Inference Protocol"). No model computation here: the
 * tensor is validated, converted and handed to {@link InferenceServer#classify}.
 */
final class OpenInferenceRoutes {
    static final String INPUT = "input";
    static final String PROBABILITIES = "probabilities";
    static final String CLASSES = "classes";
    static final int DEFAULT_TOP_K = 5;

    /** NaN and Infinity tokens are parsed, so a client that sends them hears "not finite", not "malformed". */
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final InferenceServer server;

    OpenInferenceRoutes(InferenceServer server) {
        this.server = server;
    }

    void register(RoutesConfig r) {
        r.get("/v2/health/live", ctx -> ctx.status(200));
        r.get("/v2/health/ready", ctx -> ctx.status(200));
        r.get("/v2", ctx -> InferenceServer.json(ctx, 200, serverMetadata()));
        r.get("/v2/models/{name}", ctx -> InferenceServer.json(ctx, 200,
                modelMetadata(server.batcher(ctx.pathParam("name")).model())));
        r.get("/v2/models/{name}/ready", ctx -> {
            server.batcher(ctx.pathParam("name"));
            ctx.status(200);
        });
        r.post("/v2/models/{name}/infer", this::infer);
    }

    private static Map<String, Object> serverMetadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "fovea");
        String v = InferenceServer.class.getPackage().getImplementationVersion();
        m.put("version", v == null ? "dev" : v);
        m.put("extensions", List.of());
        return m;
    }

    static Map<String, Object> modelMetadata(ServedModel sm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", sm.name());
        m.put("versions", List.of("1"));
        m.put("platform", "fovea");
        m.put("inputs", List.of(tensor(INPUT, "FP32", List.of(-1, sm.height(), sm.width(), sm.channels()))));
        m.put("outputs", List.of(tensor(PROBABILITIES, "FP32", List.of(-1, sm.classes())),
                tensor(CLASSES, "BYTES", List.of(-1, -1))));
        Map<String, Object> pre = new LinkedHashMap<>(sm.normalization().toMap());
        pre.put("formula", "FP32 input = (pixel * scale - mean[c]) / std[c], pixel the 0-255 RGB value of channel c");
        pre.put("layout", "NHWC, channels RGB");
        pre.put("uint8", "an input of datatype UINT8 holds raw 0-255 RGB pixels; the server applies the formula");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("class_names", sm.classNames());
        p.put("preprocessing", pre);
        p.put("default_top_k", Math.min(DEFAULT_TOP_K, sm.classes()));
        m.put("parameters", p);
        return m;
    }

    private static Map<String, Object> tensor(String name, String datatype, List<Integer> shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        t.put("shape", shape);
        return t;
    }

    private void infer(Context ctx) {
        Batcher b = server.batcher(ctx.pathParam("name"));
        try (Batcher.Arrival arrival = b.arrive()) {
            infer(ctx, b, arrival);
        }
    }

    private void infer(Context ctx, Batcher b, Batcher.Arrival arrival) {
        ServedModel sm = b.model();
        JsonNode req = parse(ctx.bodyAsBytes());
        if (!req.isObject()) {
            throw bad("the request body is a JSON " + req.getNodeType().name().toLowerCase(Locale.ROOT)
                    + "; expected an inference request object {\"inputs\": [...]}");
        }
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            throw bad("\"inputs\" must be an array of exactly one tensor named \"" + INPUT + "\"; received "
                    + (inputs == null ? "no \"inputs\"" : inputs.isArray() ? inputs.size() + " tensors" : inputs.getNodeType()));
        }
        int topK = topK(req.get("parameters"), sm.classes());
        Set<String> wanted = outputs(req.get("outputs"));
        Tensor t = readInput(inputs.get(0), sm);
        float[] probs = server.classify(b, arrival, t.x, t.n);

        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model_name", sm.name());
        res.put("model_version", "1");
        if (req.hasNonNull("id")) {
            res.put("id", req.get("id").asText());
        }
        List<Object> outs = new ArrayList<>();
        if (wanted.contains(PROBABILITIES)) {
            Map<String, Object> o = tensor(PROBABILITIES, "FP32", List.of(t.n, sm.classes()));
            o.put("data", probs);
            outs.add(o);
        }
        if (wanted.contains(CLASSES)) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < t.n; i++) {
                for (int j : Top.indices(probs, i * sm.classes(), sm.classes(), topK)) {
                    names.add(sm.classNames().get(j));
                }
            }
            Map<String, Object> o = tensor(CLASSES, "BYTES", List.of(t.n, topK));
            o.put("data", names);
            outs.add(o);
        }
        res.put("outputs", outs);
        InferenceServer.json(ctx, 200, res);
    }

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw bad("the request body is empty; expected a JSON inference request {\"inputs\": [...]}");
        }
        try {
            return LENIENT.readTree(body);
        } catch (JacksonException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw bad("the request body cannot be read as JSON (" + e.getMessage() + ")");
        }
    }

    private static ApiError malformed(JacksonException e) {
        String why = e.getOriginalMessage();
        return bad("malformed JSON at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
                + ", column " + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr()) + ": "
                + (why == null ? e.getClass().getSimpleName() : why.split("\n")[0])
                + "; expected a JSON inference request {\"inputs\": [...]}");
    }

    private static int topK(JsonNode params, int k) {
        JsonNode t = params == null ? null : params.get("top_k");
        if (t == null || t.isNull()) {
            return Math.min(DEFAULT_TOP_K, k);
        }
        if (!t.isIntegralNumber() || t.asLong() < 1 || t.asLong() > k) {
            throw bad("parameters.top_k must be a whole number from 1 to " + k + " (the model's classes); received "
                    + t);
        }
        return t.asInt();
    }

    private static Set<String> outputs(JsonNode outs) {
        if (outs == null || outs.isNull()) {
            return Set.of(PROBABILITIES, CLASSES);
        }
        if (!outs.isArray() || outs.isEmpty()) {
            throw bad("\"outputs\" must be a non-empty array of {\"name\": ...}; received " + outs);
        }
        Set<String> s = new LinkedHashSet<>();
        for (JsonNode o : outs) {
            String n = o.path("name").asText(null);
            if (!PROBABILITIES.equals(n) && !CLASSES.equals(n)) {
                throw bad("unknown output " + o.get("name") + "; this model's outputs are \"" + PROBABILITIES
                        + "\" and \"" + CLASSES + "\"");
            }
            s.add(n);
        }
        return s;
    }

    /** A validated input: n images as the model takes them. */
    private record Tensor(float[] x, int n) {
    }

    private static Tensor readInput(JsonNode in, ServedModel sm) {
        String name = in.path("name").asText(null);
        if (!INPUT.equals(name)) {
            throw bad("the input tensor is named " + in.get("name") + "; expected \"" + INPUT + "\"");
        }
        String datatype = in.path("datatype").asText(null);
        if (!"FP32".equals(datatype) && !"UINT8".equals(datatype)) {
            throw bad("input datatype " + in.get("datatype") + " is not accepted; expected \"FP32\" (preprocessed"
                    + " as the model metadata's parameters.preprocessing says) or \"UINT8\" (raw RGB 0-255)");
        }
        int[] shape = shape(in.get("shape"), sm);
        int n = shape[0];
        JsonNode data = in.get("data");
        if (data == null || !data.isArray()) {
            throw bad("the input has no \"data\" array; expected " + (long) n * sm.imageSize()
                    + " numbers, flat in row-major order or nested as the shape");
        }
        long expected = (long) n * sm.imageSize();
        float[] values = new float[(int) expected];
        int[] count = {0};
        flatten(data, values, count, "FP32".equals(datatype));
        if (count[0] != expected) {
            throw bad("the input's data holds " + count[0] + " values; its shape " + Arrays.toString(shape)
                    + " needs " + expected);
        }
        if ("UINT8".equals(datatype)) {
            byte[] px = new byte[values.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (int) values[i];
            }
            sm.normalization().toFloat(px, 0, values, 0, px.length);
        }
        return new Tensor(values, n);
    }

    private static int[] shape(JsonNode s, ServedModel sm) {
        int[] model = {sm.height(), sm.width(), sm.channels()};
        String want = "[N, " + model[0] + ", " + model[1] + ", " + model[2] + "] with N ≥ 1";
        if (s == null || !s.isArray() || s.size() != 4) {
            throw bad("input shape " + s + " is not accepted; expected " + want);
        }
        int[] d = new int[4];
        for (int i = 0; i < 4; i++) {
            JsonNode v = s.get(i);
            if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE
                    || (i > 0 && v.asInt() != model[i - 1])) {
                throw bad("input shape " + s + " does not fit model " + sm.name() + "; expected " + want);
            }
            d[i] = v.asInt();
        }
        if ((long) d[0] * sm.imageSize() > Integer.MAX_VALUE / 2) {
            throw bad("input shape " + s + " holds too many images for one request; send at most "
                    + Integer.MAX_VALUE / 2 / sm.imageSize());
        }
        return d;
    }

    /** Depth-first copy of numbers into {@code out}; counts past its end so the length error can say how many. */
    private static void flatten(JsonNode node, float[] out, int[] count, boolean fp32) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(v, out, count, fp32);
                continue;
            }
            int at = count[0]++;
            if (!v.isNumber()) {
                throw bad("input data value " + at + " is " + v + "; expected a number");
            }
            double d = v.asDouble();
            if (fp32) {
                if (!Double.isFinite(d) || !Float.isFinite((float) d)) {
                    throw bad("input data value " + at + " is " + v + "; expected a finite FP32 number");
                }
            } else if (!v.isIntegralNumber() || d < 0 || d > 255) {
                throw bad("input data value " + at + " is " + v + "; UINT8 expects whole numbers from 0 to 255");
            }
            if (at < out.length) {
                out[at] = (float) d;
            }
        }
    }

    private static ApiError bad(String message) {
        return new ApiError(400, message);
    }
}
