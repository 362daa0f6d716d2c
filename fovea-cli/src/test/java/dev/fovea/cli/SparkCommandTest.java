package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** fovea.jar knows of 'spark' for its help, and sends whoever runs it directly to the launcher. */
class SparkCommandTest {
    @Test
    void helpListsSparkAndTheJarPointsToTheLauncher() {
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().matches("(?s).*\n  spark +Batch inference and data-parallel training on Apache Spark.*"), help.out());
        CliRun direct = CliRun.of("spark", "predict", "--model", "m.safetensors");
        assertEquals(2, direct.code());
        assertTrue(direct.err().startsWith("error: 'fovea spark' runs in its own JVM with Spark's jars"), direct.err());
        assertTrue(direct.err().contains("./fovea spark predict --help"), direct.err());
    }
}
