/* A stand-in for libcublas that records what it is called with, so the FFM binding's C signatures and argument
   order can be checked on a machine without CUDA. Not cuBLAS: nothing is computed. */
#include <stdint.h>
#include <string.h>

static int64_t rec[32];
static int handle_storage;

int cublasCreate_v2(void **h) { *h = &handle_storage; rec[0]++; return 0; }
int cublasSetStream_v2(void *h, void *stream) { rec[1] = (int64_t) stream; return h == &handle_storage ? 0 : 7; }
int cublasSetWorkspace_v2(void *h, void *ws, size_t bytes) { rec[2] = (int64_t) ws; rec[3] = (int64_t) bytes; return 0; }
int cublasSetMathMode(void *h, int mode) { rec[4] = mode; return 0; }
int cublasDestroy_v2(void *h) { rec[5]++; return 0; }
int cublasGemmStridedBatchedEx(void *h, int ta, int tb, int m, int n, int k, const void *alpha, const void *A, int at,
        int lda, long long sa, const void *B, int bt, int ldb, long long sb, const void *beta, void *C, int ct, int ldc,
        long long sc, int batch, int compute, int algo) {
    int64_t v[] = {ta, tb, m, n, k, (int64_t) A, at, lda, sa, (int64_t) B, bt, ldb, sb, (int64_t) C, ct, ldc, sc, batch,
                   compute, algo, (int64_t) (*(const float *) alpha * 1000), (int64_t) (*(const float *) beta * 1000)};
    memcpy(rec + 8, v, sizeof v);
    return h == &handle_storage ? 0 : 7;
}
int64_t stub_record(int i) { return rec[i]; }
