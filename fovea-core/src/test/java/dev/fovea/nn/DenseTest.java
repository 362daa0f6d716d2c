package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DenseTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        Dense d = new Dense(7, ActivationFunction.RELU);
        d.setName("dense_relu");
        GradCheck.check(d, Shape.of(13), 3, 21);
        Dense linear = new Dense(5);
        linear.setName("dense_linear");
        GradCheck.check(linear, Shape.of(1), 4, 22);
        Dense noBias = new Dense(Dense.Config.of(40).activation(ActivationFunction.TANH).useBias(false));
        noBias.setName("dense_nobias");
        GradCheck.check(noBias, Shape.of(33), 2, 23);
    }

    @Test
    void forwardMatchesHandComputedValues() {
        Dense d = new Dense(2);
        d.build(Shape.of(3), new Rng(0));
        float[] k = d.params().get(0).value();
        System.arraycopy(new float[]{1, 2, 3, 4, 5, 6}, 0, k, 0, 6); // rows: input features
        d.params().get(1).value()[1] = 0.5f;
        Tensor x = new Tensor(Shape.of(2, 3), new float[]{1, 0, -1, 2, 1, 0});
        float[] y = d.forward(x, true).data();
        // [1,0,-1]·[[1,2],[3,4],[5,6]] = [-4,-4]; [2,1,0]·… = [5,8]
        assertEquals(-4f, y[0]);
        assertEquals(-3.5f, y[1]);
        assertEquals(5f, y[2]);
        assertEquals(8.5f, y[3]);
        float[] dx = d.backward(new Tensor(Shape.of(2, 2), new float[]{1, 0, 0, 1})).data();
        // dx = dy·Wᵀ: row 0 = W[:,0] = [1,3,5], row 1 = W[:,1] = [2,4,6]
        assertEquals(3f, dx[1]);
        assertEquals(6f, dx[5]);
        // dW += xᵀ·dy: dW[0,0] = x[0,0]·1 = 1, dW[0,1] = x[1,0]·1 = 2, dW[2,0] = -1
        float[] dk = d.params().get(0).grad();
        assertEquals(1f, dk[0]);
        assertEquals(2f, dk[1]);
        assertEquals(-1f, dk[4]);
        assertEquals(1f, d.params().get(1).grad()[0]);
    }

    @Test
    void rejectsImagesWithFlattenHint() {
        Dense d = new Dense(10);
        d.setName("dense");
        FoveaException e = assertThrows(FoveaException.class,
                () -> d.build(Shape.of(8, 8, 64), new Rng(0)));
        assertEquals("dense: expects input of shape (None, features), received (None, 8, 8, 64); "
                + "add a Flatten layer before it", e.getMessage());
        assertEquals(10, new Dense(10).config().get("units"));
    }
}
