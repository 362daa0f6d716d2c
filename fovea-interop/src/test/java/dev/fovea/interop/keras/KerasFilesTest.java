package dev.fovea.interop.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.FoveaException;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras files written in Keras's own layouts by {@code make_keras_files.py} beside this class
 * (h5py, since TensorFlow cannot be installed here), read back and run, against outputs that
 * script computed independently in PyTorch (NCHW, OIHW, TensorFlow's "same" pads done by hand):
 * a Sequential model saved as both {@code .keras} (Keras 3) and legacy {@code .h5} (tf.keras 2.x),
 * a Functional model with Add, Concatenate and a stride-2 "same" convolution, a model nesting a
 * Sequential and a Functional model, Keras 2.0's bare-list Sequential, and a {@code .keras}
 * saved on Windows (backslash paths) with optimizer, metric and seed-generator state to ignore.
 * Then every broken or unsupported file is one error naming the file and what to do.
 */
class KerasFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path file(String name) {
        try {
            return Path.of(KerasFilesTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<Double>> expected() throws Exception {
        return JSON.readValue(file("expected.json").toFile(), new TypeReference<>() { });
    }

    private static float[] run(String name) throws Exception {
        return run(name, "input", Shape.of(4, 8, 8, 3));
    }

    private static float[] run(String name, String input, Shape shape) throws Exception {
        Model m = KerasImport.read(file(name)).model();
        List<Double> in = expected().get(input);
        float[] x = new float[in.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = in.get(i).floatValue();
        }
        return InferencePlan.of(m).forward(new Tensor(shape, x)).data().clone();
    }

    private static void assertMatchesPyTorch(String file, String model) throws Exception {
        assertMatchesPyTorch(file, model, run(file));
    }

    private static void assertMatchesPyTorch(String file, String model, float[] y) throws Exception {
        List<Double> want = expected().get(model);
        assertEquals(want.size(), y.length, file);
        for (int i = 0; i < y.length; i++) {
            double w = want.get(i);
            assertEquals(w, y[i], 2e-5 * Math.max(1, Math.abs(w)), file + " output " + i);
        }
    }

    @Test
    void aSequentialModelSavedAsKerasAndH5GivesTheSameOutputsAsPyTorch() throws Exception {
        assertMatchesPyTorch("small.keras", "small");
        assertMatchesPyTorch("small.h5", "small");
        // The same weights through the same Fovea graph: the two formats agree bit for bit.
        assertArrayEquals(run("small.keras"), run("small.h5"));
        KerasImport.Imported k = KerasImport.read(file("small.keras"));
        assertEquals(List.of("keras", "3.3.3"), List.of(k.format(), k.kerasVersion()));
        assertEquals(List.of("Rescaling", "Conv2D", "BatchNormalization", "MaxPooling2D", "Conv2D", "AveragePooling2D",
                "Flatten", "Dropout", "Dense"), k.model().layers().stream().map(l -> l.typeName()).toList());
    }

    @Test
    void aFunctionalModelWithAddAndConcatenateMatchesPyTorch() throws Exception {
        assertMatchesPyTorch("functional.keras", "functional");
        assertMatchesPyTorch("functional.h5", "functional");
        Model m = KerasImport.read(file("functional.keras")).model();
        assertEquals(List.of("c1", "c2", "add", "c3", "pool", "concatenate", "bn", "relu", "spatial_dropout2d", "gap",
                "logits"), m.layers().stream().map(l -> l.name()).sorted(java.util.Comparator.comparingInt(
                        List.of("c1", "c2", "add", "c3", "pool", "concatenate", "bn", "relu", "spatial_dropout2d",
                                "gap", "logits")::indexOf)).toList());
    }

    @Test
    void nestedSequentialAndFunctionalModelsMatchPyTorch() throws Exception {
        assertMatchesPyTorch("nested.keras", "nested");
        assertMatchesPyTorch("nested.h5", "nested");
        Model m = KerasImport.read(file("nested.h5")).model();
        assertEquals(List.of("block", "block/inner_conv", "block/inner_bn", "block/inner_pool", "head", "head/gmp",
                "head/head_dense"), List.copyOf(m.namedLayers().keySet()));
    }

    /**
     * MobileNet's pieces: ZeroPadding2D before a stride-2 valid conv, ReLU(6.), DepthwiseConv2D
     * with a depth multiplier, LeakyReLU (Keras 2's alpha, Keras 3's negative_slope),
     * SeparableConv2D (a depthwise and a 1×1 convolution in Fovea, its three weights split) and a
     * Softmax layer.
     */
    @Test
    void mobileNetsLayersMatchPyTorch() throws Exception {
        for (String f : List.of("mobile.keras", "mobile.h5")) {
            assertMatchesPyTorch(f, "mobile", run(f, "mobile_input", Shape.of(2, 9, 9, 3)));
        }
        Model m = KerasImport.read(file("mobile.keras")).model();
        assertEquals(List.of("ZeroPadding2D", "Conv2D", "BatchNormalization", "ReLU", "DepthwiseConv2D",
                "BatchNormalization", "ReLU", "DepthwiseConv2D", "Conv2D", "GlobalAveragePooling2D", "Dense", "Activation"),
                m.layers().stream().map(l -> l.typeName()).toList());
        assertEquals(List.of("sep_depthwise", "sep"), m.layers().subList(7, 9).stream().map(l -> l.name()).toList());
    }

    @Test
    void keras2sBareListSequentialAWindowsSavedKerasFileAndKeras3sLegacyH5Read() throws Exception {
        assertMatchesPyTorch("listform.h5", "listform");
        // layers\conv2d/vars/0, plus optimizer, metric and Dropout seed state that are not weights.
        assertMatchesPyTorch("windows.keras", "small");
        // Keras 3's legacy .h5: variable paths without ':0' (small/conv2d/kernel), a
        // top_level_model_weights group, and layer_names cut in two as past HDF5's header limit.
        assertMatchesPyTorch("keras3legacy.h5", "small");
    }

    /**
     * What only training reads (initializers, regularizers, constraints, a layer frozen in Keras)
     * is dropped, counted, and changes nothing computed.
     */
    @Test
    void trainingOnlySettingsAreDroppedAndCounted() throws Exception {
        assertMatchesPyTorch("regularized.h5", "regularized");
        KerasImport.Imported k = KerasImport.read(file("regularized.h5"));
        assertEquals(Map.of("kernel_regularizer", 2, "kernel_constraint", 1, "trainable false", 1), k.ignored());
        assertEquals(k.ignored(), k.provenance().get("source_training_settings_ignored"));
        assertEquals(Map.of(), KerasImport.read(file("small.keras")).ignored());
    }

    @Test
    void brokenAndUnsupportedFilesAreOneClearError() {
        assertError("truncated.keras", "truncated.keras is not a complete zip (", "the file is truncated or damaged,"
                + " copy or save it again");
        assertError("noweights.h5", "noweights.h5: the HDF5 file holds a model config but no weights (no"
                + " 'model_weights' group); save the trained model with model.save(\"m.h5\")", null);
        assertError("weightsonly.h5", "weightsonly.h5 is a weights-only file (Keras's save_weights): it has no model"
                + " config; Fovea needs the whole model: save it with model.save(\"m.keras\") or model.save(\"m.h5\")",
                null);
        assertError("swish.h5", "swish.h5: layer 'conv2d': Conv2D option activation = 'swish' is not supported;"
                + " Fovea's Conv2D supports activation linear, relu, sigmoid, tanh, gelu or softmax", null);
        assertError("unknown_layer.keras", "unknown_layer.keras: layer 'conv3d': unknown layer type 'Conv3D'; this"
                + " Fovea knows [Conv2D,", null);
        assertError("dynamic.keras", "dynamic.keras: the input shape [null, null, null, 3] has a dimension of unknown"
                + " size; Fovea models take images of one fixed size: save the model with a fixed input shape", null);
        assertError("make_keras_files.py", "make_keras_files.py is neither a .keras zip nor an HDF5 file (it begins"
                + " with 23 21 2f 75 73 72 2f 62); pass a model saved by Keras's model.save(\"m.keras\") or"
                + " model.save(\"m.h5\")", null);
    }

    private static void assertError(String name, String start, String end) {
        FoveaException e = assertThrows(FoveaException.class, () -> KerasImport.read(file(name)));
        String m = e.getMessage().replace(file(name).toString(), name);
        assertTrue(m.startsWith(start), m);
        if (end != null) {
            assertTrue(m.endsWith(end), m);
        }
        assertEquals(1, m.lines().count(), m);
    }
}
