package dev.fovea.eval;

/**
 * One off-diagonal cell of a {@link ConfusionMatrix}: {@code count} examples of class
 * {@code trueClass} were predicted as {@code predictedClass}; {@code fractionOfTrue} is that
 * count over the true class's support.
 */
public record ConfusedPair(int trueClass, int predictedClass, String trueName, String predictedName,
                           long count, double fractionOfTrue) {
}
