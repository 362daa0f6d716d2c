package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class FmaPeakTest {
    @Test
    void countsWholeRoundsOfEveryChainAndReportsTheVectorWidth() {
        long fmas = FmaPeak.chains(1_000_000L);
        assertTrue(fmas > 0 && fmas % (FmaPeak.CHAINS * 4096L) == 0, "fmas " + fmas);
        FmaPeak.Result r = FmaPeak.measure(2, 20);
        assertEquals(2, r.threads());
        assertEquals(FloatVector.SPECIES_PREFERRED.length(), r.lanes(), "the peak is the hardware's, whatever fovea.vector.bits says");
        assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), "gflops " + r.gflops());
        assertThrows(IllegalArgumentException.class, () -> FmaPeak.measure(0, 10));
    }
}
