package dev.fovea.nn;

import static dev.fovea.nn.ActivationFunction.LINEAR;
import static dev.fovea.nn.ActivationFunction.RELU;

import dev.fovea.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every layer and parameter against float64 finite differences of an independent reference, on
 * small odd shapes: batch 2, 5×7 images, 3 channels, strides 1 and 2, each padding mode.
 */
class DoublePrecisionGradientTest {
    static final Shape IMG = Shape.of(5, 7, 3);

    @ParameterizedTest
    @EnumSource(Padding.class)
    void conv2dEveryPaddingStride1And2(Padding pad) {
        for (int stride : new int[]{1, 2}) {
            for (boolean bias : new boolean[]{true, false}) {
                Conv2D conv = new Conv2D(Conv2D.Config.of(4, 3).kernelSize(3, 2).strides(stride).padding(pad).useBias(bias));
                DoubleGradCheck.check(conv, IMG, 2, 11 + stride,
                        DoubleReference.conv2d(5, 7, 3, 4, 3, 2, stride, stride, pad, LINEAR, bias));
            }
        }
        Conv2D relu = new Conv2D(Conv2D.Config.of(4, 3).strides(2, 1).padding(pad).activation(RELU));
        DoubleGradCheck.check(relu, IMG, 2, 5, DoubleReference.conv2d(5, 7, 3, 4, 3, 3, 2, 1, pad, RELU, true));
    }

    @ParameterizedTest
    @EnumSource(ActivationFunction.class)
    void denseWithEveryActivation(ActivationFunction act) {
        DoubleGradCheck.check(new Dense(6, act), Shape.of(9), 3, 7, DoubleReference.dense(9, 6, act, true));
        DoubleGradCheck.check(new Dense(Dense.Config.of(5).activation(act).useBias(false)), Shape.of(4), 2, 8,
                DoubleReference.dense(4, 5, act, false));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void poolingValidAndSameWithStrides(boolean max) {
        for (Padding pad : new Padding[]{Padding.VALID, Padding.SAME}) {
            for (int stride : new int[]{1, 2}) {
                Layer layer = max ? new MaxPooling2D(PoolWindow.of(2, 3).strides(stride)
                        .padding(pad)) : new AveragePooling2D(PoolWindow.of(2, 3).strides(stride).padding(pad));
                DoubleGradCheck.check(layer, IMG, 2, 3, DoubleReference.pool(max, 5, 7, 3, 2, 3, stride, stride, pad));
            }
        }
        Layer global = max ? new GlobalMaxPooling2D() : new GlobalAveragePooling2D();
        DoubleGradCheck.check(global, IMG, 2, 4, DoubleReference.globalPool(max, 5, 7, 3));
    }

    @Test
    void batchNormalizationInTrainingMode() {
        DoubleGradCheck.check(new BatchNormalization(), IMG, 2, 9, DoubleReference.batchNorm(3, 1e-3));
        DoubleGradCheck.check(new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f)
                .epsilon(1e-5f)), Shape.of(6), 5, 10, DoubleReference.batchNorm(6, 1e-5));
    }

    @ParameterizedTest
    @EnumSource(ActivationFunction.class)
    void activations(ActivationFunction act) {
        DoubleGradCheck.check(new Activation(act), IMG, 2, 12, DoubleReference.activation(act, 3));
    }

    @Test
    void flattenAndDropoutAtRateZero() {
        DoubleGradCheck.check(new Flatten(), IMG, 2, 13, DoubleReference.identity());
        DoubleGradCheck.check(new Dropout(0f), IMG, 2, 14, DoubleReference.identity());
    }
}
