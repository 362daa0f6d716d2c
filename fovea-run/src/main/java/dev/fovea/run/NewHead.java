package dev.fovea.run;

import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import dev.fovea.nn.ModelConfig;
import dev.fovea.nn.Param;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code --new-head}: a model whose last Dense layer has one output per class of the data, for
 * fine-tuning a model trained on other classes (an imported ImageNet or CIFAR-10 model on a
 * folder of three classes). The model is rebuilt from its own config with that layer's
 * {@code units} changed, initialized from the seed, and every other weight copied by name, so
 * only the head starts afresh; its activation (softmax or none) stays. The last Dense layer is
 * the model's output, or the layer an output {@code Activation}/{@code Dropout} reads. A model
 * whose output count already fits is returned as it is. The console says which it was.
 */
final class NewHead {
    /** Layers that may sit after the head and keep its width. */
    private static final List<String> PASS_THROUGH = List.of("Activation", "Dropout");

    private NewHead() {
    }

    @SuppressWarnings("unchecked")
    static Model fit(Model model, int classes, long seed, String file, Consumer<String> say) {
        int outputs = model.outputShape().dim(-1);
        if (outputs == classes) {
            say.accept("new head: not needed, " + file + " already has " + classes + " outputs, one per class of the"
                    + " data; every weight is kept");
            return model;
        }
        Map<String, Object> config = ModelConfig.toConfig(model);
        List<Map<String, Object>> layers = (List<Map<String, Object>>) config.get("layers");
        Map<String, Object> head = entry(layers, (String) config.get("output"));
        while (PASS_THROUGH.contains(head.get("class_name")) && ((List<String>) head.get("inbound")).size() == 1) {
            head = entry(layers, ((List<String>) head.get("inbound")).get(0));
        }
        if (!"Dense".equals(head.get("class_name"))) {
            throw new FoveaException("--new-head: the last layer of " + file + " before its output is '"
                    + head.get("name") + "', a " + head.get("class_name") + "; --new-head replaces a Dense layer"
                    + " (the classifier); fine-tune on data with " + outputs + " classes instead");
        }
        String name = (String) head.get("name");
        Map<String, Object> dense = new java.util.LinkedHashMap<>((Map<String, Object>) head.get("config"));
        dense.put("units", classes);
        head.put("config", dense);
        Model rebuilt = ModelConfig.fromConfig(config, "--new-head");
        rebuilt.initialize(seed);
        Map<String, Param> old = model.namedParams();
        for (Map.Entry<String, Param> e : rebuilt.namedParams().entrySet()) {
            if (!e.getKey().startsWith(name + "/")) {
                float[] v = old.get(e.getKey()).value();
                System.arraycopy(v, 0, e.getValue().value(), 0, v.length);
            }
        }
        say.accept("new head: " + name + " (Dense) now has " + classes + " outputs instead of " + outputs + ", one per"
                + " class of the data, its weights new (seed " + seed + "); every other layer's come from " + file);
        return rebuilt;
    }

    private static Map<String, Object> entry(List<Map<String, Object>> layers, String name) {
        for (Map<String, Object> l : layers) {
            if (name.equals(l.get("name"))) {
                return l;
            }
        }
        throw new FoveaException("--new-head: the model has no layer '" + name + "' (its config is inconsistent)");
    }
}
