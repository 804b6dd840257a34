package dev.sodec.engine.cuda;

/**
 * The arguments of a column-major cuBLAS strided-batched GEMM that computes the row-major
 * C (m, n) = op(A) (m, k) op(B) (k, n) of {@link Device#gemm}. A row-major matrix is its transpose in column-major
 * order, so cuBLAS computes C^T (n, m) = op(B)^T op(A)^T: B is cuBLAS's first operand and A its second.
 *
 * @param transFirst whether cuBLAS transposes its first operand (B)
 * @param transSecond whether cuBLAS transposes its second operand (A)
 * @param rows cuBLAS m (= n), cols cuBLAS n (= m), depth cuBLAS k
 */
record CublasGemmArgs(boolean transFirst, boolean transSecond, int rows, int cols, int depth,
                      int ldFirst, long strideFirst, int ldSecond, long strideSecond, int ldc, long strideC) {

    static CublasGemmArgs of(int m, int n, int k, long strideA, boolean transA, long strideB, boolean transB) {
        // B stored (k, n) row-major is (n, k) column-major with ld n: already op(B)^T, no transpose. Stored (n, k)
        // (transB) it is (k, n) column-major with ld k and needs a transpose. Likewise A with ld k or m.
        return new CublasGemmArgs(transB, transA, n, m, k, transB ? k : n, strideB, transA ? m : k, strideA, n, (long) m * n);
    }
}
