#ifndef ALTV_CLINUX_H
#define ALTV_CLINUX_H
// glibc and Linux calls that Swift's Glibc module does not export (GNU extensions, new syscalls):
// memmem is a vectorised two-way search, the core of scanning a log burst at grep -F speed;
// pidfd_open (Linux 5.3) gives a descriptor that becomes readable when a process exits;
// struct ucred (SO_PEERCRED) needs _GNU_SOURCE.
#include <stddef.h>
#include <sys/types.h>

/// First occurrence of needle in haystack, or NULL.
const void *altv_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// Last occurrence of byte in the first length bytes of s, or NULL.
const void *altv_memrchr(const void *s, int byte, size_t length);

/// A pidfd for pid (close-on-exec), or -1 with errno set (ESRCH: no such process).
int altv_pidfd_open(pid_t pid);

/// The PID of the process at the other end of a connected Unix socket (SO_PEERCRED), or -1.
pid_t altv_peer_pid(int socket);

#endif
