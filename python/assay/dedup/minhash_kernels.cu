// CUDA kernels of the GPU MinHash path (assay/dedup/gpu.py): assay's own hash family, the
// same bits as the CPU kernels in rust/text/shingle.rs, rust/text/split_hashes.rs and
// rust/dedup/minhash.rs.
//
// Every kernel is a grid-stride loop over independent items with no shared memory and no
// synchronisation, so the same source compiled as C++ and run with a grid of one thread
// (tests/gpu_host_kernels.py) executes exactly what the GPU executes, item after item.
// Bytes are read one at a time: tokens start anywhere, and the GPU faults on unaligned loads.

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

#define GRID_STRIDE(i, n)                                                                          \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// ---- xxh3-64 with seed 0 (xxHash 0.8), every length -------------------------------------------

__device__ __constant__ u8 XXH3_SECRET[192] = {
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
};

#define PRIME32_1 0x9E3779B1ULL
#define PRIME32_2 0x85EBCA77ULL
#define PRIME32_3 0xC2B2AE3DULL
#define PRIME64_1 0x9E3779B185EBCA87ULL
#define PRIME64_2 0xC2B2AE3D27D4EB4FULL
#define PRIME64_3 0x165667B19E3779F9ULL
#define PRIME64_4 0x85EBCA77C2B2AE63ULL
#define PRIME64_5 0x27D4EB2F165667C5ULL

__device__ __forceinline__ u64 read64(const u8 *p) {
    u64 v = 0;
    for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
    return v;
}

__device__ __forceinline__ u32 read32(const u8 *p) {
    return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

__device__ __forceinline__ u64 fold_mul(u64 a, u64 b) { return (a * b) ^ __umul64hi(a, b); }

__device__ __forceinline__ u64 swap64(u64 x) {
    u64 r = 0;
    for (int k = 0; k < 8; ++k) r = (r << 8) | ((x >> (8 * k)) & 0xFF);
    return r;
}

__device__ __forceinline__ u64 rotl64(u64 x, int r) { return (x << r) | (x >> (64 - r)); }

__device__ __forceinline__ u64 xxh64_avalanche(u64 h) {
    h ^= h >> 33;
    h *= PRIME64_2;
    h ^= h >> 29;
    h *= PRIME64_3;
    return h ^ (h >> 32);
}

__device__ __forceinline__ u64 xxh3_avalanche(u64 h) {
    h ^= h >> 37;
    h *= 0x165667919E3779F9ULL;
    return h ^ (h >> 32);
}

__device__ __forceinline__ u64 xxh3_rrmxmx(u64 h, u64 len) {
    h ^= rotl64(h, 49) ^ rotl64(h, 24);
    h *= 0x9FB21C651E98DF25ULL;
    h ^= (h >> 35) + len;
    h *= 0x9FB21C651E98DF25ULL;
    return h ^ (h >> 28);
}

__device__ __forceinline__ u64 mix16(const u8 *p, int s) {
    return fold_mul(read64(p) ^ read64(XXH3_SECRET + s), read64(p + 8) ^ read64(XXH3_SECRET + s + 8));
}

__device__ u64 xxh3_short(const u8 *p, u64 len) {
    if (len > 8) {
        u64 lo = read64(p) ^ (read64(XXH3_SECRET + 24) ^ read64(XXH3_SECRET + 32));
        u64 hi = read64(p + len - 8) ^ (read64(XXH3_SECRET + 40) ^ read64(XXH3_SECRET + 48));
        return xxh3_avalanche(len + swap64(lo) + hi + fold_mul(lo, hi));
    }
    if (len >= 4) {
        u64 in64 = (u64)read32(p + len - 4) + ((u64)read32(p) << 32);
        u64 flip = read64(XXH3_SECRET + 8) ^ read64(XXH3_SECRET + 16);
        return xxh3_rrmxmx(in64 ^ flip, len);
    }
    if (len > 0) {
        u32 combo = ((u32)p[0] << 16) | ((u32)p[len >> 1] << 24) | (u32)p[len - 1] | ((u32)len << 8);
        u64 flip = (u64)(read32(XXH3_SECRET) ^ read32(XXH3_SECRET + 4));
        return xxh64_avalanche((u64)combo ^ flip);
    }
    return xxh64_avalanche(read64(XXH3_SECRET + 56) ^ read64(XXH3_SECRET + 64));
}

// Out of line, as xxh3_long: inlined, the 8 accumulators and unrolled rounds would set the register
// count (so the occupancy) of the kernels whose items are nearly all short (128 -> 64 registers).
__device__ __noinline__ u64 xxh3_mid(const u8 *p, u64 len) {
    u64 acc = len * PRIME64_1;
    if (len <= 128) {
        if (len > 32) {
            if (len > 64) {
                if (len > 96) {
                    acc += mix16(p + 48, 96);
                    acc += mix16(p + len - 64, 112);
                }
                acc += mix16(p + 32, 64);
                acc += mix16(p + len - 48, 80);
            }
            acc += mix16(p + 16, 32);
            acc += mix16(p + len - 32, 48);
        }
        acc += mix16(p, 0);
        acc += mix16(p + len - 16, 16);
        return xxh3_avalanche(acc);
    }
    int rounds = (int)(len / 16);
    for (int k = 0; k < 8; ++k) acc += mix16(p + 16 * k, 16 * k);
    acc = xxh3_avalanche(acc);
    for (int k = 8; k < rounds; ++k) acc += mix16(p + 16 * k, 16 * (k - 8) + 3);
    acc += mix16(p + len - 16, 136 - 17);
    return xxh3_avalanche(acc);
}

__device__ __forceinline__ void xxh3_stripe(u64 *acc, const u8 *p, int s) {
    for (int k = 0; k < 8; ++k) {
        u64 v = read64(p + 8 * k);
        u64 key = v ^ read64(XXH3_SECRET + s + 8 * k);
        acc[k ^ 1] += v;
        acc[k] += (key & 0xFFFFFFFFULL) * (key >> 32);
    }
}

__device__ __noinline__ u64 xxh3_long(const u8 *p, u64 len) {
    u64 acc[8] = {PRIME32_3, PRIME64_1, PRIME64_2, PRIME64_3, PRIME64_4, PRIME32_2, PRIME64_5, PRIME32_1};
    const u64 stripes = (192 - 64) / 8, block = 64 * stripes;
    const u64 blocks = (len - 1) / block;
    for (u64 b = 0; b < blocks; ++b) {
        for (u64 s = 0; s < stripes; ++s) xxh3_stripe(acc, p + b * block + 64 * s, (int)(8 * s));
        for (int k = 0; k < 8; ++k) {
            u64 a = acc[k] ^ (acc[k] >> 47);
            acc[k] = (a ^ read64(XXH3_SECRET + 128 + 8 * k)) * PRIME32_1;
        }
    }
    const u64 last = ((len - 1) - block * blocks) / 64;
    for (u64 s = 0; s < last; ++s) xxh3_stripe(acc, p + blocks * block + 64 * s, (int)(8 * s));
    xxh3_stripe(acc, p + len - 64, 192 - 64 - 7);
    u64 h = len * PRIME64_1;
    for (int k = 0; k < 4; ++k)
        h += fold_mul(acc[2 * k] ^ read64(XXH3_SECRET + 11 + 16 * k),
                      acc[2 * k + 1] ^ read64(XXH3_SECRET + 11 + 16 * k + 8));
    return xxh3_avalanche(h);
}

__device__ u64 xxh3_64(const u8 *p, u64 len) {
    if (len <= 16) return xxh3_short(p, len);
    if (len <= 240) return xxh3_mid(p, len);
    return xxh3_long(p, len);
}

// ---- assay's own family -----------------------------------------------------------------------

#define S0 0xA0761D6478BD642FULL
#define S1 0xE7037ED1A0B428DBULL
#define HORNER_P 0x9E3779B97F4A7C15ULL  // odd already: GOLDEN | 1

__device__ __forceinline__ u64 mix64(u64 x) {
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

__device__ __forceinline__ u64 token_hash(const u8 *p, u64 len) {
    if (len > 16) return xxh3_64(p, len);
    u64 lo = 0, hi = 0;
    for (int k = (int)len - 1; k >= 0; --k) {
        if (k >= 8) hi = (hi << 8) | p[k];
        else lo = (lo << 8) | p[k];
    }
    return fold_mul(S1 ^ len, fold_mul(lo ^ S1, hi ^ S0));
}

// Length of the Python whitespace character (as str.isspace()) starting at data[j], else 0.
__device__ __forceinline__ int space_len(const u8 *data, i64 j, i64 n) {
    u8 b = data[j];
    if ((b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20)) return 1;
    if (b == 0xC2 && j + 1 < n && (data[j + 1] == 0x85 || data[j + 1] == 0xA0)) return 2;
    if (j + 2 >= n) return 0;
    u8 c1 = data[j + 1], c2 = data[j + 2];
    if (b == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;
    if (b == 0xE2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
        return 3;
    if (b == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;
    if (b == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;
    return 0;
}

// is_space[i] = 1 where byte i belongs to a whitespace character. A multi-byte character never
// crosses a text boundary (each text is valid UTF-8), so texts need no bounds here.
extern "C" __global__ void space_mask(const u8 *data, i64 n, u8 *is_space) {
    GRID_STRIDE(i, n) {
        u8 hit = 0;
        for (int back = 0; back < 3 && back <= i; ++back) {
            int len = space_len(data, i - back, n);
            if (len > back) hit = 1;
        }
        is_space[i] = hit;
    }
}

// out[t] = the 64-bit hash of token t, the bytes data[starts[t] .. ends[t]].
extern "C" __global__ void token_hashes(const u8 *data, const i64 *starts, const i64 *ends, i64 n, u64 *out) {
    GRID_STRIDE(t, n) { out[t] = token_hash(data + starts[t], (u64)(ends[t] - starts[t])); }
}

// out[w] = upper 32 bits of the hash of word shingle w: tokens first[w] .. first[w] + len[w].
extern "C" __global__ void word_shingles(const u64 *tokens, const i64 *first, const i32 *len, i64 n, u32 *out) {
    GRID_STRIDE(w, n) {
        u64 h = 0;
        const u64 *t = tokens + first[w];
        for (int k = 0; k < len[w]; ++k) h = h * HORNER_P + t[k];
        out[w] = (u32)(mix64(h) >> 32);
    }
}

// out[w] = upper 32 bits of xxh3-64 of the bytes data[starts[w] .. ends[w]] (character shingles).
extern "C" __global__ void char_shingles(const u8 *data, const i64 *starts, const i64 *ends, i64 n, u32 *out) {
    GRID_STRIDE(w, n) { out[w] = (u32)(xxh3_64(data + starts[w], (u64)(ends[w] - starts[w])) >> 32); }
}

// Item i = (chunk c, permutation k): the minimum of (a_k x + b_k) mod 2^32 over the shingles
// first[c] .. last[c] of text text[c], folded into sig[text * num_perm + k]. Consecutive threads
// take consecutive k of one chunk: a warp reads each x once (broadcast) and writes one row.
extern "C" __global__ void minhash_chunks(const u32 *x, const i64 *first, const i64 *last, const i64 *text,
                                          i64 n_chunks, const u32 *a, const u32 *b, i64 num_perm, u32 *sig) {
    GRID_STRIDE(i, n_chunks * num_perm) {
        i64 c = i / num_perm, k = i % num_perm;
        u32 ak = a[k], bk = b[k], m = 0xFFFFFFFFu;
        for (i64 w = first[c]; w < last[c]; ++w) {
            u32 v = ak * x[w] + bk;
            m = v < m ? v : m;
        }
        atomicMin(sig + text[c] * num_perm + k, m);
    }
}
