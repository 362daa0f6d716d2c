package dev.fovea.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ReferenceCase;
import dev.fovea.io.ReferenceFiles;
import dev.fovea.io.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every PyTorch reference case passes through Fovea's layers (the engine's acceptance test). */
class ReferenceCheckTest {
    static Stream<Path> cases() {
        List<Path> all = ReferenceCase.list(ReferenceFiles.dir());
        assertTrue(all.size() >= 22, "expected the 22 shared reference cases, found " + all.size());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void casePasses(Path file) {
        ReferenceCheck.Outcome o = ReferenceCheck.run(file);
        assertEquals(null, o.error(), file + ": " + o.error());
        assertTrue(o.passed(), file + ": " + o.failures());
        assertTrue(o.results().size() >= 2, "compared too little: " + o.results().keySet());
    }

    @Test
    void seedModelComparesEveryGradient() {
        Path seed = ReferenceFiles.dir().resolve("100_seed_model.safetensors");
        ReferenceCheck.Outcome o = ReferenceCheck.run(seed);
        long grads = SafeTensors.read(seed).names().stream().filter(n -> n.startsWith("grad/")).count();
        assertEquals(grads, o.results().keySet().stream().filter(n -> n.startsWith("grad/")).count());
        assertTrue(o.results().containsKey("logits_inference") && o.results().containsKey("loss_training"));
    }

    @Test
    void aWrongExpectedValueFails(@TempDir Path tmp) {
        Path src = ReferenceFiles.dir().resolve("000_conv2d.safetensors");
        SafeTensors st = SafeTensors.read(src);
        SafeTensors.Writer w = SafeTensors.writer();
        st.metadata().forEach(w::metadata);
        for (String n : st.names()) {
            dev.fovea.tensor.Tensor t = st.tensor(n);
            if (n.equals("dkernel")) {
                t.data()[5] += 0.01f;
            }
            w.put(n, t);
        }
        Path bad = tmp.resolve("bad_conv.safetensors");
        w.write(bad);
        ReferenceCheck.Outcome o = ReferenceCheck.run(bad);
        assertFalse(o.passed());
        assertTrue(o.failures().get(0).startsWith("dkernel"), o.failures().toString());
    }

    @Test
    void anUnknownOpIsAnErrorNotAPass(@TempDir Path tmp) {
        Path bad = tmp.resolve("x.safetensors");
        SafeTensors.writer().metadata("op", "warp_drive").put("x", dev.fovea.tensor.Tensor.zeros(1)).write(bad);
        ReferenceCheck.Outcome o = ReferenceCheck.run(bad);
        assertFalse(o.passed());
        assertTrue(o.error().contains("unknown op 'warp_drive'"), o.error());
    }
}
