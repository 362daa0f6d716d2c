package dev.fovea.optim;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-parameter optimizer buffers (momentum, Adam moments) bound to parameter positions, plus
 * their checkpoint form. Package-private helper shared by the optimizers, not an optimizer.
 */
final class Slots {
    private final String optimizer;
    private final String[] names;
    /** [slot][parameter index]; null entries for non-trainable parameters. */
    private float[][][] arrays;
    /** State loaded before the first step, applied once the parameters are known. */
    private Map<String, float[]> pending;

    Slots(String optimizer, String... names) {
        this.optimizer = optimizer;
        this.names = names;
    }

    /** Allocates the buffers at the first call, then checks the groups still have the same layout. */
    void bind(List<ParamGroup> groups) {
        int count = 0;
        for (int g = 0; g < groups.size(); g++) {
            count += groups.get(g).params().size();
        }
        if (arrays == null) {
            arrays = new float[names.length][count][];
            int i = 0;
            for (int g = 0; g < groups.size(); g++) {
                for (Param p : groups.get(g).params()) {
                    for (int s = 0; s < names.length && p.trainable(); s++) {
                        arrays[s][i] = new float[p.size()];
                    }
                    i++;
                }
            }
            if (pending != null) {
                Map<String, float[]> loaded = pending;
                pending = null;
                apply(loaded);
            }
            return;
        }
        if (names.length == 0) {
            return;
        }
        if (count != arrays[0].length) {
            throw new FoveaException(optimizer + ": step received " + count + " parameters, but its state was built for "
                    + arrays[0].length + "; pass the same parameter groups at every step");
        }
        int i = 0;
        for (int g = 0; g < groups.size(); g++) {
            List<Param> params = groups.get(g).params();
            for (int j = 0; j < params.size(); j++, i++) {
                Param p = params.get(j);
                float[] a = arrays[0][i];
                if (p.trainable() ? a == null || a.length != p.size() : a != null) {
                    throw new FoveaException(optimizer + ": parameter " + i + " (" + p.name() + ", shape " + p.shape()
                            + ") does not match the optimizer state built at the first step; pass the same parameter groups at every step");
                }
            }
        }
    }

    float[] get(int slot, int index) {
        return arrays[slot][index];
    }

    Map<String, float[]> export() {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (arrays == null) {
            if (pending != null) {
                pending.forEach((k, v) -> out.put(k, v.clone()));
            }
            return out;
        }
        for (int i = 0; i < (names.length == 0 ? 0 : arrays[0].length); i++) {
            for (int s = 0; s < names.length; s++) {
                if (arrays[s][i] != null) {
                    out.put(names[s] + "/" + i, arrays[s][i].clone());
                }
            }
        }
        return out;
    }

    void load(Map<String, float[]> state) {
        if (arrays == null) {
            Map<String, float[]> copy = new LinkedHashMap<>();
            state.forEach((k, v) -> copy.put(k, v.clone()));
            pending = copy;
        } else {
            apply(state);
        }
    }

    private void apply(Map<String, float[]> state) {
        Set<String> expected = new HashSet<>();
        for (int s = 0; s < names.length; s++) {
            for (int i = 0; i < arrays[s].length; i++) {
                if (arrays[s][i] == null) {
                    continue;
                }
                String key = names[s] + "/" + i;
                expected.add(key);
                float[] v = state.get(key);
                if (v == null || v.length != arrays[s][i].length) {
                    throw new FoveaException(optimizer + ": checkpoint state " + key + " should hold " + arrays[s][i].length
                            + " values, found " + (v == null ? "no entry" : v.length + " values")
                            + "; the checkpoint was written for another model or optimizer");
                }
            }
        }
        for (String key : state.keySet()) {
            if (!expected.contains(key)) {
                throw new FoveaException(optimizer + ": checkpoint state has an unexpected entry " + key
                        + "; the checkpoint was written for another model or optimizer");
            }
        }
        for (int s = 0; s < names.length; s++) {
            for (int i = 0; i < arrays[s].length; i++) {
                if (arrays[s][i] != null) {
                    System.arraycopy(state.get(names[s] + "/" + i), 0, arrays[s][i], 0, arrays[s][i].length);
                }
            }
        }
    }
}
