#define _GNU_SOURCE
#include <string.h>
#include "CByteSearch.h"

const void *altv_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

const void *altv_memrchr(const void *s, int byte, size_t length) {
    return memrchr(s, byte, length);
}
