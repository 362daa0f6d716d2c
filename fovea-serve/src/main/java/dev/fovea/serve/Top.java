package dev.fovea.serve;

import java.util.Arrays;

/** The top-k of a row of probabilities, as {@code fovea predict} orders them: largest first, ties in class order. */
final class Top {
    private Top() {
    }

    /**
     * @param probs (…,K), read at {@code [off, off+k)}
     * @return the {@code count} class indices of the largest values, largest first
     */
    static int[] indices(float[] probs, int off, int k, int count) {
        Integer[] order = new Integer[k];
        for (int j = 0; j < k; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probs[off + b], probs[off + a]));
        int[] top = new int[count];
        for (int j = 0; j < count; j++) {
            top[j] = order[j];
        }
        return top;
    }
}
