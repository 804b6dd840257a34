/* A stand-in for libcudnn.so.9 that records what it is called with, so the FFM binding's C signatures, argument
   order and descriptor contents can be checked on a machine without CUDA. Not cuDNN: nothing is computed. The
   algorithm search returns the results the test sets with stub_set_perf. Values are read back by name. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { int type, n, c, h, w, ns, cs, hs, ws; } tensor_t;
typedef struct { int type, format, k, c, h, w; } filter_t;
typedef struct { int ph, pw, u, v, dh, dw, mode, compute, groups, math; } conv_t;
/* cudnnConvolutionFwdAlgoPerf_t / cudnnConvolutionBwdDataAlgoPerf_t as cudnn_cnn.h declares them */
typedef struct { int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]; } perf_t;

static tensor_t tensors[32];
static filter_t filters[32];
static conv_t convs[32];
static int ntensors, nfilters, nconvs, handle_storage;
static perf_t canned[8];
static int ncanned;
static int64_t workspace_need[8];

#define MAXREC 512
static char names[MAXREC][48];
static int64_t values[MAXREC];
static int nrec;

static void rec(const char *name, int64_t v) {
    for (int i = 0; i < nrec; i++) {
        if (strcmp(names[i], name) == 0) { values[i] = v; return; }
    }
    if (nrec < MAXREC) { snprintf(names[nrec], sizeof names[0], "%s", name); values[nrec++] = v; }
}

static void add(const char *name) {
    for (int i = 0; i < nrec; i++) {
        if (strcmp(names[i], name) == 0) { values[i]++; return; }
    }
    rec(name, 1);
}

static void rec2(const char *role, const char *field, int64_t v) {
    char n[48];
    snprintf(n, sizeof n, "%s.%s", role, field);
    rec(n, v);
}

static void rec_tensor(const char *role, const void *d) {
    const tensor_t *t = d;
    rec2(role, "type", t->type); rec2(role, "n", t->n); rec2(role, "c", t->c); rec2(role, "h", t->h); rec2(role, "w", t->w);
    rec2(role, "ns", t->ns); rec2(role, "cs", t->cs); rec2(role, "hs", t->hs); rec2(role, "ws", t->ws);
}

static void rec_filter(const char *role, const void *d) {
    const filter_t *f = d;
    rec2(role, "type", f->type); rec2(role, "format", f->format); rec2(role, "k", f->k); rec2(role, "c", f->c);
    rec2(role, "h", f->h); rec2(role, "w", f->w);
}

static void rec_conv(const char *role, const void *d) {
    const conv_t *c = d;
    rec2(role, "ph", c->ph); rec2(role, "pw", c->pw); rec2(role, "u", c->u); rec2(role, "v", c->v); rec2(role, "dh", c->dh);
    rec2(role, "dw", c->dw); rec2(role, "mode", c->mode); rec2(role, "compute", c->compute); rec2(role, "groups", c->groups);
    rec2(role, "math", c->math);
}

int64_t stub_get(const char *name) {
    for (int i = 0; i < nrec; i++) if (strcmp(names[i], name) == 0) return values[i];
    return -999999;
}

void stub_reset(void) { nrec = 0; ncanned = 0; memset(workspace_need, 0, sizeof workspace_need); }

void stub_set_perf(int i, int algo, int status, float time, int64_t memory, int math) {
    perf_t p = {algo, status, time, (size_t) memory, 0, math, {0, 0, 0}};
    canned[i] = p;
    if (i + 1 > ncanned) ncanned = i + 1;
}

void stub_set_workspace_need(int algo, int64_t bytes) { workspace_need[algo] = bytes; }

size_t cudnnGetVersion(void) { return 90100; }
const char *cudnnGetErrorString(int status) { return status == 3000 ? "CUDNN_STATUS_NOT_SUPPORTED" : "CUDNN_STATUS_STUB"; }
int cudnnCreate(void **h) { *h = &handle_storage; add("create"); return 0; }
int cudnnSetStream(void *h, void *stream) { rec("stream", (int64_t) stream); return h == &handle_storage ? 0 : 2000; }
int cudnnDestroy(void *h) { add("destroy"); return h == &handle_storage ? 0 : 2000; }

int cudnnCreateTensorDescriptor(void **d) { *d = &tensors[ntensors++ % 32]; add("tensor.created"); return 0; }
int cudnnSetTensor4dDescriptorEx(void *d, int type, int n, int c, int h, int w, int ns, int cs, int hs, int ws) {
    tensor_t t = {type, n, c, h, w, ns, cs, hs, ws};
    *(tensor_t *) d = t;
    return 0;
}
int cudnnDestroyTensorDescriptor(void *d) { add("tensor.destroyed"); return 0; }
int cudnnCreateFilterDescriptor(void **d) { *d = &filters[nfilters++ % 32]; add("filter.created"); return 0; }
int cudnnSetFilter4dDescriptor(void *d, int type, int format, int k, int c, int h, int w) {
    filter_t f = {type, format, k, c, h, w};
    *(filter_t *) d = f;
    return 0;
}
int cudnnDestroyFilterDescriptor(void *d) { add("filter.destroyed"); return 0; }
int cudnnCreateConvolutionDescriptor(void **d) { *d = &convs[nconvs++ % 32]; add("conv.created"); return 0; }
int cudnnSetConvolution2dDescriptor(void *d, int ph, int pw, int u, int v, int dh, int dw, int mode, int compute) {
    conv_t *c = d;
    c->ph = ph; c->pw = pw; c->u = u; c->v = v; c->dh = dh; c->dw = dw; c->mode = mode; c->compute = compute;
    c->groups = 1; c->math = 0;
    return 0;
}
int cudnnSetConvolutionGroupCount(void *d, int groups) { ((conv_t *) d)->groups = groups; return 0; }
int cudnnSetConvolutionMathType(void *d, int math) { ((conv_t *) d)->math = math; return 0; }
int cudnnDestroyConvolutionDescriptor(void *d) { add("conv.destroyed"); return 0; }

static int find(const char *role, void *h, const void *a, const void *b, int requested, int *returned, perf_t *perf,
                void *ws, size_t bytes) {
    rec2(role, "a", (int64_t) a); rec2(role, "b", (int64_t) b); rec2(role, "requested", requested);
    rec2(role, "workspace", (int64_t) ws); rec2(role, "workspaceBytes", (int64_t) bytes);
    int n = ncanned < requested ? ncanned : requested;
    for (int i = 0; i < n; i++) perf[i] = canned[i];
    *returned = n;
    return h == &handle_storage ? 0 : 2000;
}

int cudnnFindConvolutionForwardAlgorithmEx(void *h, const void *xd, const void *x, const void *wd, const void *w,
        const void *cd, const void *yd, void *y, int requested, int *returned, perf_t *perf, void *ws, size_t bytes) {
    rec_tensor("findfwd.x", xd); rec_filter("findfwd.w", wd); rec_conv("findfwd.conv", cd); rec_tensor("findfwd.y", yd);
    rec("findfwd.xptr", (int64_t) x); rec("findfwd.wptr", (int64_t) w); rec("findfwd.yptr", (int64_t) y);
    return find("findfwd", h, x, w, requested, returned, perf, ws, bytes);
}

int cudnnFindConvolutionBackwardDataAlgorithmEx(void *h, const void *wd, const void *w, const void *dyd, const void *dy,
        const void *cd, const void *dxd, void *dx, int requested, int *returned, perf_t *perf, void *ws, size_t bytes) {
    rec_filter("findbwd.w", wd); rec_tensor("findbwd.dy", dyd); rec_conv("findbwd.conv", cd); rec_tensor("findbwd.dx", dxd);
    rec("findbwd.wptr", (int64_t) w); rec("findbwd.dyptr", (int64_t) dy); rec("findbwd.dxptr", (int64_t) dx);
    return find("findbwd", h, w, dy, requested, returned, perf, ws, bytes);
}

int cudnnGetConvolutionForwardWorkspaceSize(void *h, const void *xd, const void *wd, const void *cd, const void *yd, int algo,
        size_t *bytes) {
    add("fwdworkspace.calls");
    rec("fwdworkspace.algo", algo);
    *bytes = (size_t) workspace_need[algo & 7];
    return 0;
}

int cudnnGetConvolutionBackwardDataWorkspaceSize(void *h, const void *wd, const void *dyd, const void *cd, const void *dxd,
        int algo, size_t *bytes) {
    add("bwdworkspace.calls");
    rec("bwdworkspace.algo", algo);
    *bytes = (size_t) workspace_need[algo & 7];
    return 0;
}

int cudnnConvolutionForward(void *h, const void *alpha, const void *xd, const void *x, const void *wd, const void *w,
        const void *cd, int algo, void *ws, size_t bytes, const void *beta, const void *yd, void *y) {
    add("fwd.calls");
    rec_tensor("fwd.x", xd); rec_filter("fwd.w", wd); rec_conv("fwd.conv", cd); rec_tensor("fwd.y", yd);
    rec("fwd.xptr", (int64_t) x); rec("fwd.wptr", (int64_t) w); rec("fwd.yptr", (int64_t) y); rec("fwd.algo", algo);
    rec("fwd.workspace", (int64_t) ws); rec("fwd.workspaceBytes", (int64_t) bytes);
    rec("fwd.alpha1000", (int64_t) (*(const float *) alpha * 1000)); rec("fwd.beta1000", (int64_t) (*(const float *) beta * 1000));
    return h == &handle_storage ? 0 : 2000;
}

int cudnnConvolutionBackwardData(void *h, const void *alpha, const void *wd, const void *w, const void *dyd, const void *dy,
        const void *cd, int algo, void *ws, size_t bytes, const void *beta, const void *dxd, void *dx) {
    add("bwd.calls");
    rec_filter("bwd.w", wd); rec_tensor("bwd.dy", dyd); rec_conv("bwd.conv", cd); rec_tensor("bwd.dx", dxd);
    rec("bwd.wptr", (int64_t) w); rec("bwd.dyptr", (int64_t) dy); rec("bwd.dxptr", (int64_t) dx); rec("bwd.algo", algo);
    rec("bwd.workspace", (int64_t) ws); rec("bwd.workspaceBytes", (int64_t) bytes);
    rec("bwd.alpha1000", (int64_t) (*(const float *) alpha * 1000)); rec("bwd.beta1000", (int64_t) (*(const float *) beta * 1000));
    return h == &handle_storage ? 0 : 2000;
}
