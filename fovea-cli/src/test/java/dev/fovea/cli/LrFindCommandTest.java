package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea lr-find} and {@code fovea train --lr auto} on the shared sample images. */
class LrFindCommandTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void printsARateOfItsRampAndTheTrainCommandAndWritesThePlotAndItsPoints(@TempDir Path tmp) throws Exception {
        Path plot = tmp.resolve("lr.png");
        CliRun r = CliRun.of("lr-find", "--data", TrainCommandTest.sample().toString(), "--limit", "96",
                "--batch-size", "16", "--seed", "3", "--steps", "30", "--start-lr", "1e-5", "--end-lr", "100",
                "--plot", plot.toString());
        assertEquals(0, r.code(), r.err());
        byte[] png = Files.readAllBytes(plot);
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8), "a PNG file");
        List<String> csv = Files.readAllLines(tmp.resolve("lr.csv"));
        assertEquals("lr,loss,smoothed_loss", csv.get(0));
        int steps = csv.size() - 1;
        assertTrue(steps >= 2 && steps <= 30, csv.toString());
        List<String> rates = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            double lr = Double.parseDouble(csv.get(i + 1).split(",")[0]);
            // Geometric steps: 1e-5 · (1e7)^(i/29), computed here independently of the ramp's code.
            assertEquals(1e-5 * Math.pow(1e7, i / 29.0), lr, 1e-9 * lr);
            rates.add(String.format(Locale.ROOT, "%.3g", lr));
        }
        Matcher m = Pattern.compile("suggested learning rate: (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        String suggested = m.group(1);
        assertTrue(rates.contains(suggested), suggested + " is not one of the rates tried: " + rates);
        assertTrue(r.err().contains("./fovea train --data " + TrainCommandTest.sample() + " --limit 96 --batch-size 16"
                + " --seed 3 --lr " + suggested), r.err());
        assertFalse(r.err().contains("--steps 30 --"), "lr-find's own options are not fovea train's: " + r.err());
    }

    @Test
    void runFolderOptionsAndLrAutoAreRefusedInOneLine(@TempDir Path tmp) {
        CliRun out = CliRun.of("lr-find", "--data", TrainCommandTest.sample().toString(), "--out", tmp.toString());
        assertEquals(2, out.code());
        assertTrue(out.err().startsWith("error: --out: lr-find writes no run folder"), out.err());
        CliRun auto = CliRun.of("lr-find", "--data", TrainCommandTest.sample().toString(), "--lr", "auto");
        assertEquals(2, auto.code());
        assertTrue(auto.err().contains("--lr auto: lr-find is the search itself"), auto.err());
        CliRun word = CliRun.of("train", "--data", TrainCommandTest.sample().toString(), "--lr", "fast");
        assertEquals(2, word.code());
        assertTrue(word.err().contains("--lr fast: expected a number such as 0.001, or auto"), word.err());
        assertFalse(word.err().contains("\tat "), "no stack trace");
    }

    @Test
    void trainLrAutoTrainsAtTheFoundRateRecordsItAndResumesWithIt(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(TrainCommandTest.args(run, "--epochs", "1", "--lr", "auto", "--no-report"));
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("--lr auto: lr-find took (\\d+) steps .*; training at (\\S+)").matcher(r.err());
        assertTrue(m.find(), r.err());
        ObjectMapper json = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> rec = json.readValue(run.resolve("run.json").toFile(), Map.class);
        double lr = ((Number) rec.get("lr")).doubleValue();
        assertEquals(Double.parseDouble(m.group(2)), lr, 1e-3 * lr, "run.json records the rate it trained at");
        assertEquals(Boolean.TRUE, rec.get("lr_auto"));
        assertTrue(Files.exists(run.resolve("plots/lr-find.png")));
        List<String> csv = Files.readAllLines(run.resolve("lr-find.csv"));
        assertEquals(Integer.parseInt(m.group(1)) + 1, csv.size());
        boolean found = false;
        for (String line : csv.subList(1, csv.size())) {
            found |= Double.parseDouble(line.split(",")[0]) == lr;
        }
        assertTrue(found, "the rate is one the test tried: " + lr);

        CliRun more = CliRun.of("train", "--resume", run.toString(), "--epochs", "2", "--no-report");
        assertEquals(0, more.code(), more.err());
        assertFalse(more.err().contains("lr-find took"), "a resumed run keeps its rate: " + more.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> after = json.readValue(run.resolve("run.json").toFile(), Map.class);
        assertEquals(lr, ((Number) after.get("lr")).doubleValue());
        assertEquals(Boolean.TRUE, after.get("lr_auto"));

        CliRun again = CliRun.of("train", "--resume", run.toString(), "--epochs", "3", "--lr", "auto", "--no-report");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--lr auto: the run in"), again.err());
    }

    @Test
    void theTrainCommandItPrintsLeavesOutLrFindsOwnOptions() {
        assertEquals("--data d --epochs 2 ", LrFindCommand.trainArgs(List.of("--data", "d", "--steps", "50",
                "--plot=x.png", "--epochs", "2", "--end-lr", "1", "--lr", "0.1")));
        assertEquals("", LrFindCommand.trainArgs(List.of()));
        assertEquals(Path.of("a/b.csv"), LrFindCommand.csvBeside(Path.of("a/b.png")));
    }
}
