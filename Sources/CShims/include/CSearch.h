#ifndef ALTV_CSEARCH_H
#define ALTV_CSEARCH_H
// Searching log bytes for several literals at once (the ready line's, a crash's, ...): one pass
// over a burst instead of one memmem per literal.
#include <stddef.h>

typedef struct {
    const unsigned char *bytes;
    size_t length;
} altv_needle;

/// The earliest occurrence of any of the needles in haystack, or NULL. An empty needle matches
/// at once.
const void *altv_find_any(const void *haystack, size_t length, const altv_needle *needles, size_t count);

#endif
