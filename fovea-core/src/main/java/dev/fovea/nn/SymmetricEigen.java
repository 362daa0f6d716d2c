package dev.fovea.nn;

import dev.fovea.FoveaException;

/**
 * Eigen-decomposition of a small real symmetric matrix by the cyclic Jacobi method, in double.
 * Meant for the few-dozen-row matrices of initialization (the 12×12 patch covariance of a
 * whitening conv), not for large problems: each sweep costs O(n³) and the method keeps the whole
 * matrix. Jacobi is chosen over QR because it is short, needs no tridiagonal reduction and
 * gives eigenvectors orthonormal to rounding even for clustered eigenvalues (Golub and Van Loan,
 * Matrix Computations, §8.5). Sequential, so the result does not depend on the thread count.
 */
public final class SymmetricEigen {
    /** Sweeps after which a non-converged matrix is reported; cyclic Jacobi converges quadratically, usually in under 10. */
    private static final int MAX_SWEEPS = 100;

    private SymmetricEigen() {
    }

    /**
     * Decomposes {@code a = Vᵀ·diag(values)·V}, eigenvalues sorted descending.
     *
     * @param a       (n, n) row-major symmetric matrix, read (not modified)
     * @param n       order of the matrix
     * @param values  (n) written: eigenvalues, largest first
     * @param vectors (n, n) row-major, written: row i is the unit eigenvector of {@code values[i]}
     * @throws FoveaException when {@code a} is not symmetric or not finite
     */
    public static void decompose(double[] a, int n, double[] values, double[] vectors) {
        if (n < 1 || a.length != n * n || values.length != n || vectors.length != n * n) {
            throw new FoveaException("symmetric eigen-decomposition: expects a (" + n + ", " + n + ") matrix, " + n
                    + " values and (" + n + ", " + n + ") vectors, received arrays of " + a.length + ", "
                    + values.length + " and " + vectors.length + " elements");
        }
        double scale = 0;
        for (double v : a) {
            if (!Double.isFinite(v)) {
                throw new FoveaException("symmetric eigen-decomposition: the matrix has a non-finite entry " + v
                        + "; check the data it was computed from");
            }
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (Math.abs(a[i * n + j] - a[j * n + i]) > 1e-12 * scale) {
                    throw new FoveaException("symmetric eigen-decomposition: the matrix is not symmetric, entry (" + i
                            + ", " + j + ") is " + a[i * n + j] + " but (" + j + ", " + i + ") is " + a[j * n + i]);
                }
            }
        }
        double[] m = a.clone();
        // V starts as the identity; the rotations accumulate into its columns (A·V = V·Λ).
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) {
            v[i * n + i] = 1;
        }
        int sweep = 0;
        while (offDiagonal(m, n) > 0) {
            if (++sweep > MAX_SWEEPS) {
                throw new FoveaException("symmetric eigen-decomposition: no convergence after " + MAX_SWEEPS
                        + " Jacobi sweeps of a " + n + "x" + n + " matrix; its entries may span too many orders of magnitude");
            }
            double before = offDiagonal(m, n);
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(m, v, n, p, q);
                }
            }
            // Once rounding leaves nothing to rotate away, a sweep stops reducing the off-diagonal mass.
            if (offDiagonal(m, n) >= before || offDiagonal(m, n) <= 1e-30 * squaredNorm(m)) {
                break;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(m[y * n + y], m[x * n + x]));
        for (int r = 0; r < n; r++) {
            int col = order[r];
            values[r] = m[col * n + col];
            for (int k = 0; k < n; k++) {
                vectors[r * n + k] = v[k * n + col];
            }
        }
    }

    /**
     * One Jacobi rotation J in the (p, q) plane making {@code m[p][q]} zero: m ← Jᵀ·m·J, v ← v·J.
     * The angle follows Numerical Recipes (§11.1): θ = (m_qq − m_pp)/(2·m_pq), t = tan φ the smaller
     * root of t² + 2tθ − 1 = 0, which keeps the rotation below 45° and the update stable.
     */
    private static void rotate(double[] m, double[] v, int n, int p, int q) {
        double apq = m[p * n + q];
        if (apq == 0) {
            return;
        }
        double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) {
            double mkp = m[k * n + p];
            double mkq = m[k * n + q];
            m[k * n + p] = c * mkp - s * mkq;
            m[k * n + q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {
            double mpk = m[p * n + k];
            double mqk = m[q * n + k];
            m[p * n + k] = c * mpk - s * mqk;
            m[q * n + k] = s * mpk + c * mqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k * n + p];
            double vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    private static double offDiagonal(double[] m, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    sum += m[i * n + j] * m[i * n + j];
                }
            }
        }
        return sum;
    }

    private static double squaredNorm(double[] m) {
        double sum = 0;
        for (double x : m) {
            sum += x * x;
        }
        return sum;
    }
}
