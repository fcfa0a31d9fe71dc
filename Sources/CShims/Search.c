#define _GNU_SOURCE
#include <string.h>
#include "CSearch.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// The earliest occurrence of any needle, by the slowest but simplest way: each needle's own
// memmem. Used for what the vector loop leaves (the last bytes) and where there is no SSE2.
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
    // One pass for all needles ("generic SIMD" substring search): in each 16-byte block, the
    // positions where a needle's first byte and its last byte (at its length's distance) both
    // match are candidates; only those are compared whole. Up to 8 needles.
    size_t longest = 0;
    for (size_t k = 0; k < count; k++) {
        if (needles[k].length == 0) return h;
        if (needles[k].length > longest) longest = needles[k].length;
    }
    if (count <= 8) {
        __m128i first[8], last[8];
        for (size_t k = 0; k < count; k++) {
            first[k] = _mm_set1_epi8((char)needles[k].bytes[0]);
            last[k] = _mm_set1_epi8((char)needles[k].bytes[needles[k].length - 1]);
        }
        for (; i + 16 + longest - 1 <= length; i += 16) {
            __m128i block = _mm_loadu_si128((const __m128i *)(h + i));
            unsigned best = 16;
            for (size_t k = 0; k < count; k++) {
                size_t n = needles[k].length;
                __m128i tail = _mm_loadu_si128((const __m128i *)(h + i + n - 1));
                unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(block, first[k]), _mm_cmpeq_epi8(tail, last[k])));
                while (mask) {
                    unsigned bit = (unsigned)__builtin_ctz(mask);
                    if (bit >= best) break;
                    if (n <= 2 || memcmp(h + i + bit + 1, needles[k].bytes + 1, n - 2) == 0) {
                        best = bit;
                        break;
                    }
                    mask &= mask - 1;
                }
            }
            if (best < 16) return h + i + best;
        }
    }
#endif
    return earliest_by_memmem(h + i, length - i, needles, count);
}
