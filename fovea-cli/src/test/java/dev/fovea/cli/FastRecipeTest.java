package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Initializers;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.run.Recipes;
import dev.fovea.run.TrainSettings;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea train --model fast|fast-small}: airbench94's recipe as option defaults, each block wired. */
class FastRecipeTest {
    @Test
    void theRecipesNumbersAreRecipesMds() {
        // RECIPES.md: lr 11.5/(1024·(1 + 1/(1−0.85))) = 1.465e-3, decay 0.0153·1024/7850.7 = 1.996e-3
        assertEquals(1.465e-3, Recipes.LR, 0.0005e-3);
        assertEquals(1.996e-3, Recipes.WEIGHT_DECAY, 0.0005e-3);
        assertEquals(7850.67, Recipes.KILOSTEP_SCALE, 0.01);
        // 50,000 images at batch 1024 with drop-last: 48 steps an epoch, 9.9 epochs = 476 steps
        assertEquals(476, TrainSettings.totalSteps(9.9, 50_000, 1024, true));
        assertEquals(49 * 3, TrainSettings.totalSteps(3, 50_000, 1024, false));
        assertEquals(9.9, Recipes.defaults("fast").get("epochs"));
        assertTrue(Recipes.defaults("tutorial-cnn").isEmpty());
    }

    @Test
    void fastSmallTrainsWithItsRecipeAndKeepsTheWhiteningKernelFrozen(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--model", "fast-small", "--data", TrainCommandTest.sample().toString(),
                "--limit", "96", "--batch-size", "32", "--epochs", "1.5", "--seed", "4", "--verbose", "2",
                "--no-report", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("initialization: whitening of whiten from 96 training images"), r.err());
        assertTrue(r.err().contains("initialization: dirac identity in 6 convolutions"), r.err());
        // 96 images, batch 32, drop-last: 3 steps an epoch; 1.5 epochs cut the second after 2 steps
        assertTrue(r.err().contains("Epoch 2/2") && r.err().contains("2/2 "), r.err());
        String json = Files.readString(run.resolve("run.json"));
        for (String expected : new String[]{"\"optimizer\":\"sgd\"", "\"weight_decay_mode\":\"absolute\"",
                "\"lookahead\":5", "\"loss_reduction\":\"sum\"", "\"drop_last\":true", "\"alternating_flip\":true",
                "\"pad_crop\":2", "\"lr_schedule\":\"warmup-linear\"", "\"epochs\":1.5", "\"batch_size\":32"}) {
            assertTrue(json.contains(expected), expected + " in " + json);
        }

        // The whitening kernel of the trained model is the one computed from the same images, untouched.
        Dataset train = TrainCommand.limit(DataSources.load(TrainCommandTest.sample().toString(),
                ImageFolder.Options.defaults(), new PrintStream(OutputStream.nullOutputStream())).train(), 96, 4);
        Model fresh = Presets.create("fast-small", 32, 32, 3, train.numClasses());
        fresh.initialize(4);
        Conv2D whiten = (Conv2D) fresh.layer(Presets.WHITEN);
        Initializers.whitening(whiten, Normalization.fit(train).toFloat(train, Initializers.WHITENING_IMAGES));
        Model trained = ModelFile.load(run.resolve("model.safetensors")).model();
        Conv2D trainedWhiten = (Conv2D) trained.layer(Presets.WHITEN);
        assertArrayEquals(whiten.kernel().value(), trainedWhiten.kernel().value());
        // its bias trains in the first 3 epochs
        assertNotEquals(java.util.Arrays.toString(whiten.bias().value()),
                java.util.Arrays.toString(trainedWhiten.bias().value()));
    }

    @Test
    void recipeOptionsSayWhatIsWrong(@TempDir Path tmp) {
        CliRun adam = CliRun.of("train", "--model", "fast-small", "--data", TrainCommandTest.sample().toString(),
                "--optimizer", "adam", "--out", tmp.resolve("a").toString());
        assertEquals(2, adam.code());
        assertTrue(adam.err().contains("--weight-decay-mode absolute works with --optimizer sgd only (received adam)"),
                adam.err());
        CliRun glob = CliRun.of("train", "--data", TrainCommandTest.sample().toString(), "--limit", "32",
                "--lr-multiplier", "nothing*=3", "--out", tmp.resolve("b").toString());
        assertEquals(2, glob.code());
        assertTrue(glob.err().contains("--lr-multiplier nothing*: matches none of the model's parameters"), glob.err());
        CliRun bad = CliRun.of("train", "--data", TrainCommandTest.sample().toString(), "--limit", "32",
                "--freeze-after", "conv2d/kernel", "--out", tmp.resolve("c").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--freeze-after conv2d/kernel: expected GLOB=VALUE, e.g. 'whiten/bias=3'"),
                bad.err());
    }

    /** The whole recipe (whitening, dirac, GELU, lookahead, alternating flip, summed loss) is thread-count blind. */
    @Test
    void theRecipeGivesTheSameWeightsAtOneAndTwoThreads(@TempDir Path tmp) {
        int before = dev.fovea.tensor.Parallel.threads();
        Model[] trained = new Model[2];
        try {
            for (int threads = 1; threads <= 2; threads++) {
                dev.fovea.tensor.Parallel.setThreads(threads);
                Path run = tmp.resolve("t" + threads);
                CliRun r = CliRun.of("train", "--model", "fast-small", "--data", TrainCommandTest.sample().toString(),
                        "--limit", "64", "--batch-size", "32", "--epochs", "2", "--seed", "9", "--verbose", "0",
                        "--no-report", "--out", run.toString());
                assertEquals(0, r.code(), r.err());
                trained[threads - 1] = ModelFile.load(run.resolve("model.safetensors")).model();
            }
        } finally {
            dev.fovea.tensor.Parallel.setThreads(before);
        }
        var a = trained[0].namedParams();
        var b = trained[1].namedParams();
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, p) -> assertArrayEquals(p.value(), b.get(name).value(), name));
    }
}
