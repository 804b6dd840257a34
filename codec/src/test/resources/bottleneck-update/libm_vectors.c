/*
 * Reference values of the float functions torch 1.13 uses on the CPU (Debian 12): SLEEF 3.5.1's AVX2 expf/log1pf/
 * tanhf (u10) and glibc's expf/log1pf, on inputs where they are most likely to differ from a correctly rounded
 * result, plus special values. Writes a safetensors file: in.x (F32 n) and out.<function> (F32 n).
 *
 *   gcc -O2 -mavx2 -mfma libm_vectors.c -o libm_vectors -lsleef -lm && ./libm_vectors OUT.safetensors
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__m256 Sleef_expf8_u10(__m256);
__m256 Sleef_log1pf8_u10(__m256);
__m256 Sleef_tanhf8_u10(__m256);

#define N 4096
static float x[N], out[5][N];
static const char *names[5] = {"out.sleef_expf", "out.sleef_log1pf", "out.sleef_tanhf", "out.glibc_expf", "out.glibc_log1pf"};

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) ((next() >> 40) / 16777216.0); }

static void eval(const float *in, float o[5][8]) {
  __m256 v = _mm256_loadu_ps(in);
  _mm256_storeu_ps(o[0], Sleef_expf8_u10(v));
  _mm256_storeu_ps(o[1], Sleef_log1pf8_u10(v));
  _mm256_storeu_ps(o[2], Sleef_tanhf8_u10(v));
  for (int k = 0; k < 8; k++) { o[3][k] = expf(in[k]); o[4][k] = log1pf(in[k]); }
}

/* Whether any function's result differs from the float nearest its double-precision value. */
static int interesting(float v, float o[5][8], int k) {
  float cr[5] = {(float) exp(v), (float) log1p(v), (float) tanh(v), (float) exp(v), (float) log1p(v)};
  for (int f = 0; f < 5; f++) if (memcmp(&cr[f], &o[f][k], 4) && !(isnan(cr[f]) && isnan(o[f][k]))) return 1;
  return 0;
}

int main(int argc, char **argv) {
  static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 20.0f, 20.000002f, -20.0f, 88.0f, 88.72283f, 88.72284f,
      -87.33655f, -103.2789f, -103.97208f, -104.0f, 100.0f, 100.00001f, 8.664339742f, 8.6643405f, -8.6643405f,
      1e-30f, -1e-30f, 1e-45f, 0.41421f, 0.41422f, -0.29289f, -0.2929f, 3e38f, -0.999999f, 1e38f, 2e38f,
      INFINITY, -INFINITY};
  int n = 0;
  for (unsigned i = 0; i < sizeof special / sizeof *special; i++) x[n++] = special[i];
  float buf[8], o[5][8];
  /* half random values over the ranges the bottleneck meets, half among those where some function is not
     correctly rounded */
  while (n < N) {
    for (int k = 0; k < 8; k++) {
      switch (next() % 4) {
        case 0: buf[k] = uniform(-25.0f, 25.0f); break;
        case 1: buf[k] = uniform(-105.0f, 90.0f); break;
        case 2: buf[k] = uniform(-1.0f, 1.0f); break;
        default: buf[k] = ldexpf(uniform(1.0f, 2.0f), (int) (next() % 60) - 40) * (next() % 2 ? 1 : -1);
      }
    }
    eval(buf, o);
    for (int k = 0; k < 8 && n < N; k++) if (n % 2 == 0 || interesting(buf[k], o, k)) x[n++] = buf[k];
  }
  for (int i = 0; i < N; i += 8) {
    eval(x + i, o);
    for (int f = 0; f < 5; f++) for (int k = 0; k < 8; k++) out[f][i + k] = o[f][k];
  }
  char header[1024];
  int len = snprintf(header, sizeof header, "{\"in.x\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[0,%d]}", N, 4 * N);
  for (int f = 0; f < 5; f++)
    len += snprintf(header + len, sizeof header - len, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%d,%d]}",
                    names[f], N, 4 * N * (f + 1), 4 * N * (f + 2));
  len += snprintf(header + len, sizeof header - len, "}");
  while (len % 8) header[len++] = ' ';
  FILE *fp = fopen(argv[1], "wb");
  uint64_t hl = (uint64_t) len;
  fwrite(&hl, 8, 1, fp);
  fwrite(header, 1, len, fp);
  fwrite(x, 4, N, fp);
  for (int f = 0; f < 5; f++) fwrite(out[f], 4, N, fp);
  fclose(fp);
  return 0;
}
