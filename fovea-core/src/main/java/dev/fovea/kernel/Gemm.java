package dev.fovea.kernel;

/**
 * Single-precision matrix product {@code C (m×n) (= or +=) op(A) (m×k) · op(B) (k×n)}.
 *
 * <p>Argument order, as in every kernel: inputs, then outputs, then dimensions and settings.
 * All matrices are row-major with explicit leading strides. {@code op(A)} is A itself (A is m×k,
 * element (i,p) at {@code a[aOff + i·lda + p]}) or, when {@code transA}, Aᵀ of a k×m A (element
 * (i,p) at {@code a[aOff + p·lda + i]}); likewise for B.
 *
 * <p>TODO(engine): the packed, register-blocked Vector API kernel; this is the scalar twin.
 */
public final class Gemm {
    private Gemm() {
    }

    /**
     * @param a          read
     * @param b          read
     * @param c          written (accumulates (+=) when {@code accumulate})
     */
    public static void gemm(float[] a, int aOff, int lda, boolean transA,
                            float[] b, int bOff, int ldb, boolean transB,
                            float[] c, int cOff, int ldc,
                            int m, int n, int k, boolean accumulate) {
        gemmScalar(a, aOff, lda, transA, b, bOff, ldb, transB, c, cOff, ldc, m, n, k, accumulate);
    }

    /** Plain triple loop; the reference every faster variant is tested against. */
    public static void gemmScalar(float[] a, int aOff, int lda, boolean transA,
                                  float[] b, int bOff, int ldb, boolean transB,
                                  float[] c, int cOff, int ldc,
                                  int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }
}
