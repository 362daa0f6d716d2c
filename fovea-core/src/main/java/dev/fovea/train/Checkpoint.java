package dev.fovea.train;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.io.SafeTensors;
import dev.fovea.nn.Layer;
import dev.fovea.nn.RandomState;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: a model file (so {@code evaluate} and {@code predict} accept it too)
 * plus the optimizer's slot buffers as {@code optimizer/<key>} tensors, the callbacks'
 * {@link Callback#state()} as {@code callback/<key>} tensors and, in the metadata key
 * {@code fovea.checkpoint}, JSON with the epochs done, optimizer name and iterations, the
 * learning-rate scale, every random layer's RNG state (under its {@link dev.fovea.nn.Model#namedLayers
 * path}, so a Dropout inside a nested model resumes too), the history as CSV and, for a checkpoint
 * taken inside an epoch, the batches done with the epoch's partial loss sum and every metric's
 * partial state. Batches are
 * derived from (seed, epoch), so with these a resumed run continues bit-for-bit.
 */
public final class Checkpoint {
    private Checkpoint() {
    }

    static void save(Path file, Trainer t) {
        SafeTensors.Writer w = ModelFile.writer(t.model(), t.info());
        Map<String, float[]> state = t.optimizer().state();
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            w.put("optimizer/" + e.getKey(), new Tensor(Shape.of(e.getValue().length), e.getValue()));
        }
        for (Map.Entry<String, float[]> e : t.callbackState().entrySet()) {
            w.put("callback/" + e.getKey(), new Tensor(Shape.of(e.getValue().length), e.getValue()));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("epochs_done", t.epochsDone());
        meta.put("optimizer", t.optimizer().name());
        meta.put("iterations", t.optimizer().iterations());
        meta.put("learning_rate_scale", t.learningRateScale());
        Map<String, Long> rng = new LinkedHashMap<>();
        for (Map.Entry<String, Layer> e : t.model().namedLayers().entrySet()) {
            if (e.getValue() instanceof RandomState r) {
                rng.put(e.getKey(), r.rngState());
            }
        }
        meta.put("rng", rng);
        meta.put("history_csv", t.history().toCsv());
        meta.put("step_in_epoch", t.stepInEpoch());
        meta.put("partial_loss_sum", t.partialLossSum());
        meta.put("partial_seen", t.partialSeen());
        meta.put("partial_metrics", t.partialMetrics());
        w.metadata("fovea.checkpoint", ModelFile.json(meta));
        w.write(file);
    }

    static void restore(Path file, Trainer t) {
        SafeTensors st = SafeTensors.read(file);
        String json = st.metadata().get("fovea.checkpoint");
        if (json == null) {
            throw new FoveaException(file + ": not a training checkpoint (no 'fovea.checkpoint' metadata);"
                    + " to start from a model file's weights, load it as a model instead");
        }
        Map<String, Object> meta = ModelFile.parse(file, json, new TypeReference<>() { });
        String opt = String.valueOf(meta.get("optimizer"));
        if (!opt.equals(t.optimizer().name())) {
            throw new FoveaException(file + ": the checkpoint was trained with optimizer '" + opt
                    + "' but this run uses '" + t.optimizer().name() + "'; resume with the same optimizer");
        }
        ModelFile.loadWeights(st, t.model());
        Map<String, float[]> state = new LinkedHashMap<>();
        for (String name : st.names()) {
            if (name.startsWith("optimizer/")) {
                state.put(name.substring("optimizer/".length()), st.floats(name));
            }
        }
        t.optimizer().load(state, ((Number) meta.get("iterations")).longValue());
        Map<String, float[]> callbacks = new LinkedHashMap<>();
        for (String name : st.names()) {
            if (name.startsWith("callback/")) {
                callbacks.put(name.substring("callback/".length()), st.floats(name));
            }
        }
        t.restoreCallbackState(callbacks);
        @SuppressWarnings("unchecked")
        Map<String, Object> rng = (Map<String, Object>) meta.getOrDefault("rng", Map.of());
        for (Map.Entry<String, Layer> e : t.model().namedLayers().entrySet()) {
            if (e.getValue() instanceof RandomState r && rng.containsKey(e.getKey())) {
                r.setRngState(((Number) rng.get(e.getKey())).longValue());
            }
        }
        t.restoreState(((Number) meta.get("epochs_done")).intValue(),
                ((Number) meta.get("learning_rate_scale")).doubleValue(),
                History.fromCsv(String.valueOf(meta.getOrDefault("history_csv", ""))),
                ((Number) meta.getOrDefault("step_in_epoch", 0)).intValue(),
                ((Number) meta.getOrDefault("partial_loss_sum", 0.0)).doubleValue(),
                ((Number) meta.getOrDefault("partial_seen", 0)).longValue(),
                metricStates(meta.get("partial_metrics")));
    }

    /** {@code partial_metrics}: metric name → its saved state (absent in checkpoints before metrics were kept). */
    private static Map<String, double[]> metricStates(Object json) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (json instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                List<?> values = (List<?>) e.getValue();
                double[] state = new double[values.size()];
                for (int i = 0; i < state.length; i++) {
                    state[i] = ((Number) values.get(i)).doubleValue();
                }
                out.put(String.valueOf(e.getKey()), state);
            }
        }
        return out;
    }
}
