package dev.fovea.eval;

import dev.fovea.FoveaException;
import java.util.ArrayList;
import java.util.List;

/**
 * Selection of wrong predictions to show a user: the model's most confident mistakes first,
 * which are the most informative (label noise, look-alike classes). Also holds the arg-max and
 * confidence helpers that turn probabilities into predictions. Does not draw anything; the
 * report module renders the chosen examples.
 */
public final class Misclassified {
    /** Example {@code index} of class {@code trueLabel} predicted as {@code predicted} with probability {@code confidence}. */
    public record Example(int index, int trueLabel, int predicted, float confidence) {
    }

    private Misclassified() {
    }

    /**
     * Index of the largest probability in each row; the first one wins a tie, as NumPy's argmax.
     *
     * @param probs (N,K) read
     * @return (N) predicted classes
     */
    public static int[] argmax(float[] probs, int numClasses) {
        int n = rows(probs, numClasses);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            float bestValue = probs[i * numClasses];
            for (int c = 1; c < numClasses; c++) {
                if (probs[i * numClasses + c] > bestValue) {
                    bestValue = probs[i * numClasses + c];
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * The {@code k} wrong predictions with the highest confidence (the probability given to the
     * predicted class), highest first; equal confidences keep example order.
     *
     * @param trueLabels (N) read
     * @param predicted  (N) read
     * @param probs      (N,K) read; row i holds example i's class probabilities
     */
    public static List<Example> mostConfident(int[] trueLabels, int[] predicted, float[] probs, int numClasses,
                                              int k) {
        int n = rows(probs, numClasses);
        if (trueLabels.length != n || predicted.length != n) {
            throw new FoveaException("misclassified: expects " + n + " true and predicted labels for " + n
                    + " probability rows of " + numClasses + " classes, received " + trueLabels.length
                    + " true and " + predicted.length + " predicted labels; pass arrays from the same examples");
        }
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        List<Example> wrong = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (trueLabels[i] != predicted[i]) {
                wrong.add(new Example(i, trueLabels[i], predicted[i], probs[i * numClasses + predicted[i]]));
            }
        }
        // Stable sort: ties stay in example order, so the selection is reproducible.
        wrong.sort((a, b) -> Float.compare(b.confidence(), a.confidence()));
        return List.copyOf(wrong.subList(0, Math.min(k, wrong.size())));
    }

    /** Indices of {@link #mostConfident}, for callers that only need to fetch the images. */
    public static int[] mostConfidentIndices(int[] trueLabels, int[] predicted, float[] probs, int numClasses,
                                             int k) {
        return mostConfident(trueLabels, predicted, probs, numClasses, k).stream()
                .mapToInt(Example::index).toArray();
    }

    private static int rows(float[] probs, int numClasses) {
        if (numClasses <= 0 || probs.length % numClasses != 0) {
            throw new FoveaException("misclassified: expects probabilities of shape (N, " + numClasses
                    + "), received " + probs.length + " values, not a multiple of " + numClasses
                    + "; pass the model's softmax output for all examples");
        }
        return probs.length / numClasses;
    }
}
