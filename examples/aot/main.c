/* Calls the ahead-of-time compiled convgrad kernel of dgrad.mlir from C and
 * checks it against the defining sum of the data gradient:
 *   dx[n, g*Cg + c, i, j] = sum_{f in group g, kh, kw, oh, ow :
 *                                oh*s + kh - p == i, ow*s + kw - p == j}
 *                           dy[n, f, oh, ow] * w[f, c, kh, kw]
 * It calls the kernel many times: built with -fsanitize=address, LeakSanitizer
 * reports any temporary the kernel does not free.
 *
 * Built with -DCONVGRAD_WORKSPACE, it calls a kernel compiled with the
 * workspace calling convention (convgrad-cpu-pipeline{temporaries=workspace}):
 * the caller asks dgrad_workspace_size once for these shapes, allocates one
 * 64-byte aligned buffer and passes it to every call, so no call allocates. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* The memref descriptor of a rank-4 memref (mlir/ExecutionEngine/CRunnerUtils.h). */
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} MemRef4D;

#ifdef CONVGRAD_WORKSPACE
#include <stdlib.h>
typedef struct {
  char *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} MemRef1D;
int64_t _mlir_ciface_dgrad_workspace_size(MemRef4D *dy, MemRef4D *w, MemRef4D *dx);
void _mlir_ciface_dgrad(MemRef4D *dy, MemRef4D *w, MemRef4D *dx, MemRef1D *workspace);
#else
void _mlir_ciface_dgrad(MemRef4D *dy, MemRef4D *w, MemRef4D *dx);
#endif

enum { N = 2, F = 8, C = 4, G = 2, OH = 5, OW = 5, H = 10, W = 10, K = 3, S = 2, P = 1 };
static float dy[N][F][OH][OW], w[F][C / G][K][K], dx[N][C][H][W];

static MemRef4D describe(float *data, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
  MemRef4D m = {data, data, 0, {d0, d1, d2, d3}, {d1 * d2 * d3, d2 * d3, d3, 1}};
  return m;
}

int main(void) {
  uint32_t state = 12345;
  for (int i = 0; i < N * F * OH * OW; ++i) {
    state = state * 1664525u + 1013904223u;
    ((float *)dy)[i] = (float)(state >> 8) / (1 << 24) - 0.5f;
  }
  for (int i = 0; i < F * (C / G) * K * K; ++i) {
    state = state * 1664525u + 1013904223u;
    ((float *)w)[i] = (float)(state >> 8) / (1 << 24) - 0.5f;
  }
  MemRef4D mdy = describe(&dy[0][0][0][0], N, F, OH, OW);
  MemRef4D mw = describe(&w[0][0][0][0], F, C / G, K, K);
  MemRef4D mdx = describe(&dx[0][0][0][0], N, C, H, W);
#ifdef CONVGRAD_WORKSPACE
  int64_t bytes = _mlir_ciface_dgrad_workspace_size(&mdy, &mw, &mdx);
  char *buffer = aligned_alloc(64, (size_t)(bytes + 63) / 64 * 64 + 64);
  MemRef1D workspace = {buffer, buffer, 0, {bytes}, {1}};
  printf("workspace: %lld bytes\n", (long long)bytes);
  for (int call = 0; call < 100; ++call)
    _mlir_ciface_dgrad(&mdy, &mw, &mdx, &workspace);
  free(buffer);
#else
  for (int call = 0; call < 100; ++call)
    _mlir_ciface_dgrad(&mdy, &mw, &mdx);
#endif

  double maxErr = 0;
  for (int n = 0; n < N; ++n)
    for (int ci = 0; ci < C; ++ci)
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) {
          int g = ci / (C / G), c = ci % (C / G);
          double ref = 0;
          for (int f = g * (F / G); f < (g + 1) * (F / G); ++f)
            for (int kh = 0; kh < K; ++kh)
              for (int kw = 0; kw < K; ++kw) {
                int ohs = i + P - kh, ows = j + P - kw;
                if (ohs < 0 || ows < 0 || ohs % S || ows % S || ohs / S >= OH || ows / S >= OW)
                  continue;
                ref += (double)dy[n][f][ohs / S][ows / S] * w[f][c][kh][kw];
              }
          double err = fabs(ref - dx[n][ci][i][j]);
          if (err > maxErr)
            maxErr = err;
        }
  printf("dgrad %dx%dx%dx%d: max abs error %.2e\n", N, C, H, W, maxErr);
  if (maxErr > 1e-5) {
    printf("FAILED\n");
    return 1;
  }
  printf("OK\n");
  return 0;
}
