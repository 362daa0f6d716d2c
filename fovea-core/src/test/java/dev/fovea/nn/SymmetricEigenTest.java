package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    /** [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1 with vectors e₃, (1,1,0)/√2, (1,−1,0)/√2 (by hand). */
    @Test
    void knownMatrix() {
        double[] a = {2, 1, 0, 1, 2, 0, 0, 0, 5};
        double[] values = new double[3];
        double[] v = new double[9];
        SymmetricEigen.decompose(a, 3, values, v);
        assertEquals(5, values[0], 1e-14);
        assertEquals(3, values[1], 1e-14);
        assertEquals(1, values[2], 1e-14);
        double r = Math.sqrt(0.5);
        double[][] expected = {{0, 0, 1}, {r, r, 0}, {r, -r, 0}};
        for (int i = 0; i < 3; i++) {
            double sign = Math.signum(expected[i][0] * v[i * 3] + expected[i][1] * v[i * 3 + 1] + expected[i][2] * v[i * 3 + 2]);
            for (int k = 0; k < 3; k++) {
                assertEquals(expected[i][k], sign * v[i * 3 + k], 1e-14, "vector " + i + " element " + k);
            }
        }
        assertEquals(2, a[0], 0, "the input is not modified");
        assertEquals(1, a[1], 0, "the input is not modified");
    }

    /** A·v = λ·v and VᵀV = I on random symmetric matrices of several orders, including a diagonal one and one with a repeated eigenvalue. */
    @Test
    void randomMatricesSatisfyTheDefinition() {
        Rng rng = new Rng(4);
        for (int n : new int[]{1, 2, 5, 12, 27}) {
            double[] a = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    a[i * n + j] = a[j * n + i] = rng.nextFloat() * 2 - 1;
                }
            }
            check(a, n);
        }
        check(new double[]{3, 0, 0, 0, -1, 0, 0, 0, 2}, 3);
        // 2·I + u·uᵀ: eigenvalue 2 twice and 2 + |u|² = 16 once.
        double[] u = {1, 2, 3};
        double[] a = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                a[i * 3 + j] = u[i] * u[j] + (i == j ? 2 : 0);
            }
        }
        double[] values = check(a, 3);
        assertEquals(16, values[0], 1e-13);
        assertEquals(2, values[1], 1e-13);
        assertEquals(2, values[2], 1e-13);
    }

    private static double[] check(double[] a, int n) {
        double[] values = new double[n];
        double[] v = new double[n * n];
        SymmetricEigen.decompose(a, n, values, v);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                assertTrue(values[i] <= values[i - 1], "descending at " + i);
            }
            for (int r = 0; r < n; r++) {
                double av = 0;
                for (int k = 0; k < n; k++) {
                    av += a[r * n + k] * v[i * n + k];
                }
                assertEquals(values[i] * v[i * n + r], av, 1e-12, "n=" + n + " (A·v)[" + r + "] of vector " + i);
            }
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += v[i * n + k] * v[j * n + k];
                }
                assertEquals(i == j ? 1 : 0, dot, 1e-12, "n=" + n + " vᵢ·vⱼ for " + i + ", " + j);
            }
        }
        return values;
    }

    @Test
    void rejectsNonSymmetricAndNonFinite() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> SymmetricEigen.decompose(new double[]{1, 2, 3, 4}, 2, new double[2], new double[4]));
        assertTrue(e.getMessage().contains("not symmetric, entry (0, 1) is 2.0 but (1, 0) is 3.0"), e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> SymmetricEigen.decompose(new double[]{1, Double.NaN, Double.NaN, 4}, 2, new double[2], new double[4]));
        assertTrue(e.getMessage().contains("non-finite entry NaN"), e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> SymmetricEigen.decompose(new double[9], 3, new double[2], new double[9]));
        assertTrue(e.getMessage().contains("received arrays of 9, 2 and 9 elements"), e.getMessage());
    }
}
