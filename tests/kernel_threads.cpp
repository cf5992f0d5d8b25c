// assay/spectral/spectral_kernels.cu run on the host with real threads: the threads of a thread block are
// OS threads that meet at a pthread barrier for each __syncthreads, and the blocks run one after
// another, so the __shared__ arrays (static here) belong to the block that runs. Built with
// -fsanitize=thread (tests/threaded_kernels.py), it reports every pair of accesses by a block's
// threads that no barrier orders: the races compute-sanitizer's racecheck looks for on a GPU.
// (The one-thread host build, tests/gpu_host_kernels.py, cannot see them.)
//
// usage: kernel_threads IN OUT THREADS BLOCKS
//   IN: int64 b, n, is_double; then b·n·n values (b symmetric n×n matrices, row-major)
//   OUT: b·n eigenvalues, ascending per matrix
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <thread>
#include <vector>

struct assay_dim3 {
    unsigned x, y, z;
};
static thread_local assay_dim3 threadIdx, blockIdx;
static assay_dim3 blockDim, gridDim;
static pthread_barrier_t block_barrier;
static inline void __syncthreads() { pthread_barrier_wait(&block_barrier); }
#define __global__
#define __device__
#define __shared__ static
#define __launch_bounds__(threads)

#include KERNEL_SOURCE

template <typename F> static void launch(unsigned blocks, unsigned threads, F kernel) {
    gridDim = {blocks, 1, 1};
    blockDim = {threads, 1, 1};
    pthread_barrier_init(&block_barrier, nullptr, threads);
    for (unsigned b = 0; b < blocks; ++b) {
        std::vector<std::thread> block;
        for (unsigned t = 0; t < threads; ++t)
            block.emplace_back([=] {
                blockIdx = {b, 0, 0};
                threadIdx = {t, 0, 0};
                kernel();
            });
        for (auto &thread : block) thread.join();
    }
    pthread_barrier_destroy(&block_barrier);
}

template <typename T> static int run(FILE *in, FILE *out, i64 b, i64 n, unsigned threads, unsigned blocks) {
    std::vector<T> a(b * n * n), d(b * n), e(b * n), v(2 * b * n), p(2 * b * n), ev(b * n);
    if (fread(a.data(), sizeof(T), a.size(), in) != a.size()) return 2;
    launch(blocks, threads, [&] {
        if constexpr (sizeof(T) == 4) tridiagonalize_f32(a.data(), b, n, d.data(), e.data(), v.data(), p.data());
        else tridiagonalize_f64(a.data(), b, n, d.data(), e.data(), v.data(), p.data());
    });
    launch(blocks, threads, [&] {
        if constexpr (sizeof(T) == 4) bisect_f32(d.data(), e.data(), b, n, ev.data());
        else bisect_f64(d.data(), e.data(), b, n, ev.data());
    });
    return fwrite(ev.data(), sizeof(T), ev.size(), out) == ev.size() ? 0 : 2;
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    i64 head[3];
    if (!in || !out || fread(head, sizeof(i64), 3, in) != 3) return 2;
    unsigned threads = (unsigned)atoi(argv[3]), blocks = (unsigned)atoi(argv[4]);
    int rc = head[2] ? run<double>(in, out, head[0], head[1], threads, blocks)
                     : run<float>(in, out, head[0], head[1], threads, blocks);
    fclose(in);
    return fclose(out) == 0 ? rc : 2;
}
