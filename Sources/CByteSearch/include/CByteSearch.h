#ifndef ALTV_CBYTESEARCH_H
#define ALTV_CBYTESEARCH_H
// glibc's byte searches that Swift's Glibc module does not export (they are GNU extensions):
// memmem is a vectorised two-way search, the core of scanning a log burst at grep -F speed.
#include <stddef.h>

/// First occurrence of needle in haystack, or NULL.
const void *altv_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// Last occurrence of byte in the first length bytes of s, or NULL.
const void *altv_memrchr(const void *s, int byte, size_t length);

#endif
