// CUDA kernels of the GPU spectral path (assay/_gpu_eigen.py): eigenvalues of a batch of
// symmetric matrices (the Gram matrices) by Householder tridiagonalisation and bisection.
//
// cuSOLVER's syevd takes ~1.6 ms per 512×512 matrix and its batched Jacobi solver stops at 32×32,
// so a batch is reduced here one thread block per matrix, and every eigenvalue of the
// tridiagonal matrices is then bisected by a thread of its own. A batch that fills the GPU does
// not fit its L2 (128 float32 512×512 matrices are 128 MB): the reduction streams from HBM, two
// passes over the trailing block a step (benches/RESULTS.md, tenth session).
//
// Host builds (tests/gpu_host_kernels.py) run each kernel with one block of one thread: the block
// loops then visit every item of a phase in turn, and the barriers between phases and the block
// sums (over one partial) keep their meaning, so the host computes what the device computes, up
// to the order of the block sums and the device's fused multiply-adds. tests/kernel_threads.cpp
// runs them with real threads per block (OS threads, a pthread barrier for __syncthreads) under
// ThreadSanitizer, which reports any access between a block's threads that no barrier orders.

typedef long long i64;

#define MATRIX_STRIDE(b, count) for (i64 b = blockIdx.x; b < (count); b += gridDim.x)
#define BLOCK_STRIDE(i, lo, hi) for (i64 i = (lo) + threadIdx.x; i < (hi); i += blockDim.x)
#define GRID_STRIDE(i, n)                                                                          \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

#define MAX_BLOCK 1024

// Sum of one value per thread of the block; every thread gets it. blockDim.x: a power of two.
template <typename T> __device__ T block_sum(T x, T *scratch) {
    scratch[threadIdx.x] = x;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
    T total = scratch[0];
    __syncthreads();
    return total;
}

// The per-matrix phases split their work over VIRTUAL virtual threads, whatever blockDim is: the
// host build (one thread) then runs the device's own decomposition and summation order.
#define VIRTUAL 1024
#define VIRTUAL_STRIDE(vt) for (int vt = threadIdx.x; vt < VIRTUAL; vt += blockDim.x)

// Σ_{j in [lo, hi)} m[j·n + i]·v[j]: column i of the (symmetric) matrix, rows lo..hi. Four
// accumulators keep four loads in flight per thread (L2 latency, not bandwidth, bounds a block).
template <typename T> __device__ T column_dot(const T *m, const T *v, i64 n, i64 i, i64 lo, i64 hi) {
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    i64 j = lo;
    for (; j + 3 < hi; j += 4) {
        s0 += m[j * n + i] * v[j];
        s1 += m[(j + 1) * n + i] * v[j + 1];
        s2 += m[(j + 2) * n + i] * v[j + 2];
        s3 += m[(j + 3) * n + i] * v[j + 3];
    }
    for (; j < hi; ++j) s0 += m[j * n + i] * v[j];
    return (s0 + s1) + (s2 + s3);
}

// The Householder reflector H = I − tau·v vᵀ that zeroes row k of m (= column k) beyond k + 1:
// writes d[k], e[k] and v on [k + 1, n) (v[k + 1] = 1) and returns tau (0: H = I, v = e₁).
template <typename T> __device__ T reflector(const T *m, i64 n, i64 k, T *db, T *eb, T *vb, T *scratch) {
    const T *row = m + k * n;
    T part = 0;
    BLOCK_STRIDE(i, k + 2, n) part += row[i] * row[i];
    const T sigma = block_sum(part, scratch);
    const T alpha = row[k + 1];
    if (threadIdx.x == 0) db[k] = row[k];
    if (sigma == 0) {  // the column is already reduced
        if (threadIdx.x == 0) eb[k] = alpha;
        BLOCK_STRIDE(i, k + 1, n) vb[i] = i == k + 1 ? (T)1 : (T)0;
        __syncthreads();
        return 0;
    }
    const T norm = sqrt(alpha * alpha + sigma);
    const T beta = alpha <= 0 ? norm : -norm;
    const T tau = (beta - alpha) / beta, scale = 1 / (alpha - beta);
    if (threadIdx.x == 0) eb[k] = beta;
    BLOCK_STRIDE(i, k + 1, n) vb[i] = i == k + 1 ? (T)1 : row[i] * scale;
    __syncthreads();
    return tau;
}

// out[base + i] = scale · Σ_{r < parts} partial[r·w + i] for i < w, after a barrier: the sums of
// the partial products that `parts` slices of a trailing block of width w left in `partial`.
template <typename T> __device__ void sum_parts(const T *partial, int parts, i64 w, i64 base, T scale, T *out) {
    __syncthreads();
    BLOCK_STRIDE(i, 0, w) {
        T s = 0;
        for (int r = 0; r < parts; ++r) s += partial[r * w + i];
        out[base + i] = scale * s;
    }
}

// p = tau·A v over the trailing block [base, n)² of m, read by columns (coalesced). A block
// narrower than VIRTUAL is cut into `slices` row ranges, summed after a barrier.
template <typename T> __device__ void multiply(const T *m, i64 n, i64 base, const T *vb, T tau, T *pb, T *partial) {
    const i64 w = n - base;
    if (w > VIRTUAL) {
        BLOCK_STRIDE(i, base, n) pb[i] = tau * column_dot(m, vb, n, i, base, n);
    } else {
        const int slices = VIRTUAL / (int)w, chunk = ((int)w + slices - 1) / slices;
        VIRTUAL_STRIDE(vt) {
            const int slice = vt / (int)w, i = vt % (int)w;
            if (slice < slices) {
                const i64 lo = base + (i64)slice * chunk, hi = lo + chunk < n ? lo + chunk : n;
                partial[vt] = lo < hi ? column_dot(m, vb, n, base + i, lo, hi) : (T)0;
            }
        }
        sum_parts(partial, slices, w, base, tau, pb);
    }
    __syncthreads();
}

// The rank-2 update A ← A − v uᵀ − u vᵀ (u = p − c·v) of the block [base, n)², and, when `next`,
// in the same pass pn = taun·A′ vn of the updated block (the next step's product, so the matrix
// is read twice a step instead of three times). Consecutive threads take consecutive columns; a
// block narrower than VIRTUAL is swept `rows` rows at a time and the products summed after a
// barrier.
template <typename T>
__device__ void update(T *m, i64 n, i64 base, const T *vb, const T *pb, T c, bool next, const T *vn, T taun, T *pn,
                       T *partial) {
    const i64 w = n - base;
    if (w >= VIRTUAL) {
        BLOCK_STRIDE(j, base, n) {
            const T vj = vb[j], uj = pb[j] - c * vb[j];
            T acc = 0;
            for (i64 i = base; i < n; ++i) {
                const T mij = m[i * n + j] - (vb[i] * uj + (pb[i] - c * vb[i]) * vj);
                m[i * n + j] = mij;
                if (next) acc += mij * vn[i];
            }
            if (next) pn[j] = taun * acc;
        }
    } else {
        const int rows = VIRTUAL / (int)w;
        VIRTUAL_STRIDE(vt) {
            const int r = vt / (int)w;
            const i64 j = base + vt % (int)w;
            if (r < rows) {
                const T vj = vb[j], uj = pb[j] - c * vb[j];
                T acc = 0;
#pragma unroll 4
                for (i64 i = base + r; i < n; i += rows) {
                    const T mij = m[i * n + j] - (vb[i] * uj + (pb[i] - c * vb[i]) * vj);
                    m[i * n + j] = mij;
                    if (next) acc += mij * vn[i];
                }
                if (next) partial[vt] = acc;
            }
        }
        if (next) sum_parts(partial, rows, w, base, taun, pn);
    }
    __syncthreads();
}

// Reduces each symmetric n×n matrix a[b] (row-major; overwritten) to tridiagonal form
// Q^T A Q = tridiag(e, d, e) by n − 2 Householder reflections of its lower part. v and p hold
// 2n scratch values per matrix (this step's and the next step's). Step k updates row k + 1
// first, takes the next reflector from it, then updates the rest of the trailing block while it
// multiplies it by the next reflector; column k + 1 below the diagonal is never read again, so
// it is left stale.
template <typename T>
__device__ void tridiagonalize(T *a, i64 batch, i64 n, T *d, T *e, T *v, T *p, T *scratch, T *partial) {
    MATRIX_STRIDE(b, batch) {
        T *m = a + b * n * n, *db = d + b * n, *eb = e + b * n;
        T *vc = v + b * 2 * n, *vn = vc + n, *pc = p + b * 2 * n, *pn = pc + n;
        T tau = 0;
        if (n >= 3) {
            tau = reflector(m, n, 0, db, eb, vc, scratch);
            multiply(m, n, 1, vc, tau, pc, partial);
        }
        for (i64 k = 0; k + 2 < n; ++k) {
            const i64 base = k + 1;
            T pv = 0;
            BLOCK_STRIDE(i, base, n) pv += pc[i] * vc[i];
            const T c = tau / 2 * block_sum(pv, scratch);
            // H = I (tau = 0: a zero row, as padding gives) leaves the block as it is: no pass
            // over it, only the next product if the next reflector is not the identity too. A
            // step with tau = 0 never reads its product (which is then not computed).
            if (k + 3 == n) {  // the last reflector: a plain update of the 2×2 trailing block
                if (tau != 0) update(m, n, base, vc, pc, c, false, vc, (T)0, pc, partial);
                break;
            }
            if (tau != 0) {
                const T ub = pc[base] - c * vc[base];
                BLOCK_STRIDE(j, base, n) m[base * n + j] -= vc[base] * (pc[j] - c * vc[j]) + ub * vc[j];
                __syncthreads();
            }
            const T taun = reflector(m, n, base, db, eb, vn, scratch);
            if (tau != 0) {
                update(m, n, base + 1, vc, pc, c, true, vn, taun, pn, partial);
            } else if (taun != 0) {
                multiply(m, n, base + 1, vn, taun, pn, partial);
            }
            T *t = vc;
            vc = vn;
            vn = t;
            t = pc;
            pc = pn;
            pn = t;
            tau = taun;
        }
        if (threadIdx.x == 0) {
            if (n >= 2) {
                db[n - 2] = m[(n - 2) * n + n - 2];
                eb[n - 2] = m[(n - 1) * n + n - 2];
            }
            db[n - 1] = m[(n - 1) * n + n - 1];
        }
        __syncthreads();
    }
}

// Number of eigenvalues of tridiag(e, d, e) below x (Sturm sequence; LAPACK's dstebz guard).
template <typename T> __device__ i64 count_below(const T *d, const T *e, i64 n, T x, T pivmin) {
    i64 count = 0;
    T q = d[0] - x;
    for (i64 i = 0;; ++i) {
        if (fabs(q) <= pivmin) q = -pivmin;
        count += q < 0;
        if (i + 1 == n) return count;
        q = d[i + 1] - x - e[i] * e[i] / q;
    }
}

// ev[b·n + j] = the j-th smallest eigenvalue of tridiag(e[b], d[b], e[b]), bisected to an
// absolute width of 2·eps·‖T‖ (‖T‖ from the Gershgorin bounds): the accuracy of QL iteration, and
// ~log2(1/eps) halvings whatever the eigenvalue (a relative width would not stop near zero).
template <typename T>
__device__ void bisect(const T *d, const T *e, i64 batch, i64 n, T eps, T tiny, T *ev) {
    GRID_STRIDE(item, batch * n) {
        const i64 b = item / n, j = item % n;
        const T *db = d + b * n, *eb = e + b * n;
        T lo = db[0], hi = db[0], emax = 0;
        for (i64 i = 0; i < n; ++i) {
            const T left = i > 0 ? fabs(eb[i - 1]) : (T)0, right = i + 1 < n ? fabs(eb[i]) : (T)0;
            lo = fmin(lo, db[i] - left - right);
            hi = fmax(hi, db[i] + left + right);
            if (i + 1 < n) emax = fmax(emax, eb[i] * eb[i]);
        }
        const T pivmin = tiny * fmax((T)1, emax), pad = (hi - lo) * (T)1e-6 + pivmin;
        lo -= pad;
        hi += pad;
        const T width = 2 * eps * fmax(fabs(lo), fabs(hi)) + pivmin;
        for (int it = 0; it < 200 && hi - lo > width; ++it) {
            const T mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi) break;
            if (count_below(db, eb, n, mid, pivmin) > j) hi = mid;
            else lo = mid;
        }
        ev[item] = lo + (hi - lo) / 2;
    }
}

extern "C" __global__ void __launch_bounds__(1024) tridiagonalize_f32(float *a, i64 batch, i64 n, float *d, float *e, float *v, float *p) {
    __shared__ float scratch[MAX_BLOCK], partial[VIRTUAL];
    tridiagonalize(a, batch, n, d, e, v, p, scratch, partial);
}

extern "C" __global__ void __launch_bounds__(1024) tridiagonalize_f64(double *a, i64 batch, i64 n, double *d, double *e, double *v,
                                              double *p) {
    __shared__ double scratch[MAX_BLOCK], partial[VIRTUAL];
    tridiagonalize(a, batch, n, d, e, v, p, scratch, partial);
}

extern "C" __global__ void bisect_f32(const float *d, const float *e, i64 batch, i64 n, float *ev) {
    bisect(d, e, batch, n, 5.9604645e-08f, 1.1754944e-38f, ev);
}

extern "C" __global__ void bisect_f64(const double *d, const double *e, i64 batch, i64 n, double *ev) {
    bisect(d, e, batch, n, 1.1102230246251565e-16, 2.2250738585072014e-308, ev);
}
