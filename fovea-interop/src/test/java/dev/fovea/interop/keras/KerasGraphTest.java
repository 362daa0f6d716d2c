package dev.fovea.interop.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model configs around the layers: Keras 3's bare single-tensor input/output entries, a
 * Sequential built with {@code build_input_shape}, and the graphs Fovea cannot run (a shared
 * layer, two inputs, a subclassed model, a graph reading a layer that is not there), each one
 * error naming the file, the layer and what to do.
 */
class KerasGraphTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Model build(String json) throws Exception {
        Map<String, Object> m = JSON.readValue(json.replace('\'', '"'), new TypeReference<>() { });
        return KerasGraph.build(m, "m.keras");
    }

    private static String input(String name) {
        return "{'class_name': 'InputLayer', 'name': '" + name + "', 'config': {'batch_shape': [null, 4, 4, 2],"
                + " 'name': '" + name + "'}, 'inbound_nodes': []}";
    }

    private static String dense(String name, String inbound) {
        return "{'class_name': 'Dense', 'name': '" + name + "', 'config': {'name': '" + name + "', 'units': 3},"
                + " 'inbound_nodes': " + inbound + "}";
    }

    @Test
    void keras3sBareInputAndOutputEntriesAndBuildInputShapeRead() throws Exception {
        Model f = build("{'class_name': 'Functional', 'config': {'name': 'f', 'layers': [" + input("in") + ", "
                + "{'class_name': 'Flatten', 'name': 'flat', 'config': {'name': 'flat'}, 'inbound_nodes': [{'args':"
                + " [{'class_name': '__keras_tensor__', 'config': {'keras_history': ['in', 0, 0]}}], 'kwargs': {}}]}, "
                + dense("d", "[{'args': [{'class_name': '__keras_tensor__', 'config': {'keras_history': ['flat', 0, 0]}}],"
                + " 'kwargs': {}}]") + "], 'input_layers': ['in', 0, 0], 'output_layers': ['d', 0, 0]}}");
        assertEquals("(None, 3)", f.outputShape().toBatchString());
        assertEquals(32 * 3 + 3, f.params().stream().mapToInt(p -> p.size()).sum());

        Model s = build("{'class_name': 'Sequential', 'config': {'name': 's', 'layers': [{'class_name': 'Flatten',"
                + " 'config': {'name': 'flat'}}], 'build_input_shape': [null, 2, 5, 1]}}");
        assertEquals("(None, 10)", s.outputShape().toBatchString());

        // A mixed-precision policy keeps float32 variables: computed in float32, and counted.
        Map<String, Object> m = JSON.readValue(("{'class_name': 'Sequential', 'config': {'name': 's', 'layers':"
                + " [{'class_name': 'Dense', 'config': {'name': 'd', 'units': 2, 'batch_input_shape': [null, 3],"
                + " 'dtype': {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'mixed_float16'}}}}]}}")
                .replace('\'', '"'), new TypeReference<>() { });
        assertEquals(Map.of("dtype mixed_float16", 1), KerasGraph.read(m, "m.keras").ignored());
    }

    @Test
    void graphsFoveaCannotRunAreOneClearError() {
        assertRefused("{'class_name': 'Functional', 'config': {'name': 'f', 'layers': [" + input("in") + ", "
                + "{'class_name': 'Flatten', 'name': 'flat', 'config': {'name': 'flat'}, 'inbound_nodes': [[['in', 0,"
                + " 0, {}]]]}, " + dense("d", "[[['flat', 0, 0, {}]], [['flat', 0, 0, {}]]]") + "], 'input_layers': [['in',"
                + " 0, 0]], 'output_layers': [['d', 0, 0]]}}",
                "m.keras: layer 'd' is called 2 times in the model (a shared layer); Fovea's graph runs each layer once"
                        + " on one input: build the model with one layer per call");
        assertRefused("{'class_name': 'Functional', 'config': {'name': 'f', 'layers': [" + input("a") + ", "
                + input("b") + "], 'input_layers': [['a', 0, 0], ['b', 0, 0]], 'output_layers': [['a', 0, 0]]}}",
                "m.keras: model 'f' has 2 input(s) and 1 output(s) ([[a, 0, 0], [b, 0, 0]] → [[a, 0, 0]]); Fovea"
                        + " models have one input and one output");
        assertRefused("{'class_name': 'MyModel', 'config': {}}", "m.keras: the model is a Keras MyModel; Fovea"
                + " imports Sequential and Functional models (a subclassed model has no config to read: save it as a"
                + " Functional model)");
        assertRefused("{'class_name': 'Functional', 'config': {'name': 'f', 'layers': [" + input("in") + ", "
                + dense("d", "[[['nowhere', 0, 0, {}]]]") + "], 'input_layers': [['in', 0, 0]], 'output_layers':"
                + " [['d', 0, 0]]}}", "m.keras: layer 'd' of model 'f' reads [nowhere], which no layer of the model"
                + " produces; the model config is inconsistent");
        assertRefused("{'class_name': 'Sequential', 'config': {'name': 's', 'layers': [{'class_name': 'Flatten',"
                + " 'config': {'name': 'flat'}}]}}", "m.keras: model 's' declares no input shape (no InputLayer, no"
                + " batch_input_shape); Fovea needs one: build the Keras model with keras.Input(shape=...)");
    }

    private static void assertRefused(String json, String message) {
        FoveaException e = assertThrows(FoveaException.class, () -> build(json));
        assertEquals(message, e.getMessage());
    }
}
