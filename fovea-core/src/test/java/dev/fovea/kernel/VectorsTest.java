package dev.fovea.kernel;

import dev.fovea.kernel.gemm.generated.GemmKernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The species and tile-set choice, and the two properties that force them. */
class VectorsTest {
    @Test
    void theDefaultFollowsTheVectorWidth() {
        List<String> warnings = new ArrayList<>();
        assertSame(FloatVector.SPECIES_PREFERRED, Vectors.species(null, FloatVector.SPECIES_PREFERRED, warnings::add));
        assertTrue(Vectors.wide(null, 16, warnings::add), "16 floats: AVX-512's 32 registers, 8x3 tiles");
        assertFalse(Vectors.wide("", 8, warnings::add), "8 floats: AVX2's 16 registers, 6x2 tiles");
        assertFalse(Vectors.wide(null, 4, warnings::add));
        assertEquals(List.of(), warnings);
    }

    @Test
    void propertiesForceTheSpeciesAndTheTiles() {
        List<String> warnings = new ArrayList<>();
        assertSame(FloatVector.SPECIES_256, Vectors.species("256", FloatVector.SPECIES_512, warnings::add));
        assertSame(FloatVector.SPECIES_128, Vectors.species(" 128 ", FloatVector.SPECIES_256, warnings::add));
        assertTrue(Vectors.wide("8x3", 8, warnings::add));
        assertFalse(Vectors.wide("6×2", 16, warnings::add));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aWiderOrUnknownSpeciesIsRefusedWithAWarning() {
        List<String> warnings = new ArrayList<>();
        assertSame(FloatVector.SPECIES_256, Vectors.species("512", FloatVector.SPECIES_256, warnings::add));
        assertSame(FloatVector.SPECIES_256, Vectors.species("384", FloatVector.SPECIES_256, warnings::add));
        assertTrue(Vectors.wide("9x9", 16, warnings::add));
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("wider than this machine's 256-bit vectors"), warnings.get(0));
        assertTrue(warnings.get(1).contains("not 128, 256 or 512"), warnings.get(1));
        assertTrue(warnings.get(2).contains("not 8x3 or 6x2"), warnings.get(2));
    }

    /** Under the build's forced executions (fovea-core/pom.xml) the kernels really run the forced set. */
    @Test
    void theKernelsUseTheChosenSet() {
        String bits = System.getProperty("fovea.vector.bits");
        if (bits != null) {
            assertEquals(Integer.parseInt(bits), Vectors.S.vectorBitSize());
        }
        String tiles = System.getProperty("fovea.tiles");
        if (tiles != null) {
            assertEquals(tiles, Vectors.tileSet());
        }
        assertEquals(Vectors.wideTiles() ? 8 : 6, GemmKernels.MR);
        assertEquals(Vectors.wideTiles() ? 3 : 2, GemmKernels.NV);
        assertSame(Vectors.S, GemmKernels.S);
        assertTrue(Vectors.describe().startsWith(Vectors.S.vectorBitSize() + "-bit vectors ("), Vectors.describe());
    }
}
