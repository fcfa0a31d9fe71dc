#define _GNU_SOURCE
#include <string.h>
#include "CSearch.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
// A candidate (a position holding some needle's first byte) is a match when a needle starting
// with that byte is there whole. The vector loops guarantee the longest needle fits.
static inline int starts_a_needle(const unsigned char *start, const altv_needle *needles, size_t count) {
    for (size_t k = 0; k < count; k++) {
        if (needles[k].bytes[0] == *start && memcmp(start, needles[k].bytes, needles[k].length) == 0) return 1;
    }
    return 0;
}

#if defined(__x86_64__)
#include <immintrin.h>

// The vector loop with 32-byte blocks, for CPUs with AVX2 (chosen at run time); returns the
// first confirmed start, or NULL with *done set to where it stopped.
__attribute__((target("avx2")))
static const unsigned char *find_any_avx2(const unsigned char *h, size_t length, const altv_needle *needles, size_t count,
                                          const unsigned char *firsts, size_t distinct, size_t longest, size_t *done) {
    __m256i wanted[8];
    for (size_t d = 0; d < distinct; d++) wanted[d] = _mm256_set1_epi8((char)firsts[d]);
    size_t i = 0;
    for (; i + 32 + longest - 1 <= length; i += 32) {
        __m256i block = _mm256_loadu_si256((const __m256i *)(h + i));
        __m256i any = _mm256_cmpeq_epi8(block, wanted[0]);
        for (size_t d = 1; d < distinct; d++) any = _mm256_or_si256(any, _mm256_cmpeq_epi8(block, wanted[d]));
        unsigned mask = (unsigned)_mm256_movemask_epi8(any);
        for (; mask; mask &= mask - 1) {
            const unsigned char *start = h + i + (unsigned)__builtin_ctz(mask);
            if (starts_a_needle(start, needles, count)) return start;
        }
    }
    *done = i;
    return NULL;
}
#endif

// The earliest occurrence of any needle, the simplest way: each needle's own memmem (glibc's is
// vectorised), each bounded by the best hit so far. For the bytes the vector loop leaves, and
// where there is no SSE2.
static const unsigned char *earliest_by_memmem(const unsigned char *haystack, size_t length, const altv_needle *needles, size_t count) {
    const unsigned char *best = NULL;
    for (size_t k = 0; k < count; k++) {
        size_t limit = best ? (size_t)(best - haystack) + needles[k].length - 1 : length;
        if (limit > length) limit = length;
        const unsigned char *hit = memmem(haystack, limit, needles[k].bytes, needles[k].length);
        if (hit && (!best || hit < best)) best = hit;
    }
    return best;
}

const void *altv_find_any(const void *haystack, size_t length, const altv_needle *needles, size_t count) {
    const unsigned char *h = haystack;
    if (count == 0 || length == 0) return NULL;
    if (count == 1) return memmem(h, length, needles[0].bytes, needles[0].length);
    size_t i = 0;
#if defined(__SSE2__)
    // One pass for all needles: each 16-byte block is compared with the needles' distinct first
    // bytes at once (one load, a compare per distinct byte); a block without any of them, the
    // usual case, costs a handful of instructions. A position holding one is a candidate start,
    // compared whole with the needles that begin with that byte. Candidates come in order, so
    // the first confirmed one is the earliest occurrence. Up to 8 distinct first bytes.
    size_t longest = 0;
    unsigned char firsts[8];
    size_t distinct = 0;
    for (size_t k = 0; k < count; k++) {
        if (needles[k].length == 0) return h;
        if (needles[k].length > longest) longest = needles[k].length;
        unsigned char first = needles[k].bytes[0];
        size_t seen = 0;
        while (seen < distinct && firsts[seen] != first) seen++;
        if (seen == distinct) {
            if (distinct == 8) { distinct = 9; break; }
            firsts[distinct++] = first;
        }
    }
#if defined(__x86_64__)
    if (distinct <= 8 && __builtin_cpu_supports("avx2")) {
        const unsigned char *hit = find_any_avx2(h, length, needles, count, firsts, distinct, longest, &i);
        if (hit) return hit;
    }
#endif
    if (distinct <= 8) {
        __m128i wanted[8];
        for (size_t d = 0; d < distinct; d++) wanted[d] = _mm_set1_epi8((char)firsts[d]);
        for (; i + 16 + longest - 1 <= length; i += 16) {
            __m128i block = _mm_loadu_si128((const __m128i *)(h + i));
            __m128i any = _mm_cmpeq_epi8(block, wanted[0]);
            for (size_t d = 1; d < distinct; d++) any = _mm_or_si128(any, _mm_cmpeq_epi8(block, wanted[d]));
            unsigned mask = (unsigned)_mm_movemask_epi8(any);
            for (; mask; mask &= mask - 1) {
                const unsigned char *start = h + i + (unsigned)__builtin_ctz(mask);
                if (starts_a_needle(start, needles, count)) return start;
            }
        }
    }
#endif
    return earliest_by_memmem(h + i, length - i, needles, count);
}
