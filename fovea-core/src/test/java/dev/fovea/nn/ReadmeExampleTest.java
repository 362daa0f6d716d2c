package dev.fovea.nn;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.ActivationFunction.SOFTMAX;
import static dev.fovea.nn.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's Java listing builds exactly the tutorial-cnn preset. */
class ReadmeExampleTest {
    @Test
    void readmeListingEqualsThePreset() {
        var inputs = Input.of(32, 32, 3);
        var x = inputs;
        for (int filters : new int[]{32, 64, 128}) {
            x = new Conv2D(filters, 3, SAME, RELU).apply(x);
            x = new BatchNormalization().apply(x);
            x = new Conv2D(filters, 3, SAME, RELU).apply(x);
            x = new BatchNormalization().apply(x);
            x = new MaxPooling2D(2).apply(x);
        }
        x = new Flatten().apply(x);
        x = new Dropout(0.2f).apply(x);
        x = new Dense(1024, RELU).apply(x);
        x = new Dropout(0.2f).apply(x);
        var outputs = new Dense(10, SOFTMAX).apply(x);
        Model model = Model.of(inputs, outputs);
        assertEquals(ModelConfig.toConfig(Presets.create("tutorial-cnn", 32, 32, 3, 10)), ModelConfig.toConfig(model));
        assertEquals(Summary.of(Presets.create("tutorial-cnn", 32, 32, 3, 10)), Summary.of(model));
    }

    /** The listing above is the README's, so the README cannot drift from what compiles. */
    @Test
    void readmeShowsThisListing() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String test = Files.readString(Path.of("src/test/java/dev/fovea/nn/ReadmeExampleTest.java"));
        String listing = test.substring(test.indexOf("var inputs"), test.indexOf("Model model = Model.of(inputs, outputs);"));
        for (String line : listing.lines().map(String::strip).toList()) {
            assertTrue(readme.contains(line), "README.md lacks the line: " + line);
        }
    }
}
